// Incident form: downscale a chosen photo on the phone before upload (long side 1600 px, JPEG). The
// server still checks and re-encodes whatever arrives; without canvas support the original is sent.
(function () {
  "use strict";
  var input = document.querySelector('#incident-form input[type="file"]');
  if (!input || !window.DataTransfer || !window.createImageBitmap) return;
  var MAX = 1600;
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file || !/^image\/(jpeg|png|webp)$/.test(file.type)) return;
    createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 1024 * 1024) return;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        if (!blob) return;
        var transfer = new DataTransfer();
        transfer.items.add(new File([blob], "foto.jpg", { type: "image/jpeg" }));
        input.files = transfer.files;
      }, "image/jpeg", 0.85);
    }).catch(function () {});
  });
})();
