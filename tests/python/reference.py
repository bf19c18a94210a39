"""The numpy reference for int8 per-output-channel quantization that WeightPack's int8 stage must match."""
import numpy as np


def int8_per_row(w: np.ndarray) -> np.ndarray:
    """Quantizes and dequantizes w (float32, >= 2-D) with one scale per row: scale = max|w| / 127,
    q = round-half-even(w / scale) clipped to [-127, 127], w' = q * scale, all in float32."""
    rows = w.reshape(w.shape[0], -1).astype(np.float32)
    scale = (np.abs(rows).max(axis=1, keepdims=True) / np.float32(127)).astype(np.float32)
    safe = np.where(scale == 0, np.float32(1), scale)
    q = np.clip(np.round(rows / safe), -127, 127)
    q = np.where(scale == 0, 0, q).astype(np.int8)
    return (q.astype(np.float32) * scale).reshape(w.shape)


def snr_db(reference: np.ndarray, candidate: np.ndarray) -> float:
    a = reference.astype(np.float64)
    e = candidate.astype(np.float64) - a
    noise = float(np.sum(e * e))
    return float("inf") if noise == 0 else 10 * np.log10(float(np.sum(a * a)) / noise)
