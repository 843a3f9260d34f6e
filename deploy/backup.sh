#!/usr/bin/env bash
# Nightly encrypted backup of Pilkades Ops: the database (pg_dump, custom format) and the uploaded
# evidence, each encrypted with age to a public key, so the server (and whoever takes its disk) can
# write backups but never read them; the private key stays offline with the Kabag Ops' admin.
# Backups older than PILKADES_BACKUP_KEEP_DAYS are removed. Run by deploy/systemd/pilkades-backup.timer.
set -euo pipefail
umask 077

: "${DATABASE_URL:?set DATABASE_URL (the EnvironmentFile /etc/pilkades/env)}"
: "${PILKADES_BACKUP_RECIPIENT:?set PILKADES_BACKUP_RECIPIENT to an age public key (age1…)}"
DIR=${PILKADES_BACKUP_DIR:-/var/backups/pilkades}
KEEP_DAYS=${PILKADES_BACKUP_KEEP_DAYS:-14}
MEDIA=${DJANGO_MEDIA_ROOT:-/srv/pilkades/media}
stamp=$(date +%F)

mkdir -p "$DIR"
# Written under a temporary name and renamed when whole: a failed night never leaves a file that
# looks like a good backup.
pg_dump --format=custom --no-owner "$DATABASE_URL" | age -r "$PILKADES_BACKUP_RECIPIENT" > "$DIR/.db.partial"
mv "$DIR/.db.partial" "$DIR/pilkades-$stamp.dump.age"
tar -czf - -C "$MEDIA" . | age -r "$PILKADES_BACKUP_RECIPIENT" > "$DIR/.media.partial"
mv "$DIR/.media.partial" "$DIR/pilkades-media-$stamp.tar.gz.age"

find "$DIR" -maxdepth 1 -name 'pilkades-*.age' -mtime +"$KEEP_DAYS" -delete
