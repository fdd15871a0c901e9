//! Colour maps that turn grids of values into RGBA pixel buffers (dense images are put on a
//! canvas in one call).

/// TensorFlow Playground's diverging map: orange (-1) through white (0) to blue (+1).
pub fn diverging(v: f32) -> [u8; 3] {
    let t = v.clamp(-1.0, 1.0);
    let (orange, white, blue) = ([245.0, 147.0, 34.0], [232.0, 234.0, 235.0], [8.0, 119.0, 189.0]);
    let (a, b, s) = if t < 0.0 { (white, orange, -t) } else { (white, blue, t) };
    [0, 1, 2].map(|k| (a[k] + (b[k] - a[k]) * s) as u8)
}

/// RGBA pixels of a grid of values in [-1, 1] (NaN shows as magenta so it is never mistaken for 0).
pub fn rgba(values: &[f32], out: &mut Vec<u8>) {
    out.clear();
    for &v in values {
        let [r, g, b] = if v.is_finite() { diverging(v) } else { [255, 0, 255] };
        out.extend_from_slice(&[r, g, b, 255]);
    }
}
