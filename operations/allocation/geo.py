"""Great-circle distances between unit HQs and villages."""

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def haversine_km_matrix(
    from_lat: np.ndarray, from_lon: np.ndarray, to_lat: np.ndarray, to_lon: np.ndarray
) -> np.ndarray:
    """Kilometres from every "from" point (rows) to every "to" point (columns), in degrees in."""
    lat1 = np.radians(np.asarray(from_lat, dtype=float))[:, None]
    lon1 = np.radians(np.asarray(from_lon, dtype=float))[:, None]
    lat2 = np.radians(np.asarray(to_lat, dtype=float))[None, :]
    lon2 = np.radians(np.asarray(to_lon, dtype=float))[None, :]
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
