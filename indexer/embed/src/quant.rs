//! The numbers of the model: 4-bit weight blocks (llama.cpp's Q4_0 — 32 weights share an f16
//! scale; byte j holds weight j in its low nibble and weight j+16 in its high one, each stored
//! plus 8) and the int8 activation blocks the package multiplies them with. Kept 4-bit on
//! disk; widened once to i8 at load, so a dot product of 32 is integer arithmetic, then scaled
//! by the two blocks' scales: with AVX2 intrinsics where the CPU has them (through `pulp`'s
//! runtime check), else a portable loop the compiler vectorises.

/// Weights (and activations) per block.
pub const BLOCK: usize = 32;
/// Bytes of one 4-bit block: the f16 scale and 16 bytes of nibbles.
pub const BLOCK_BYTES: usize = 18;

/// An IEEE binary16 value as f32 (subnormals, infinities and NaN included).
pub fn f16_to_f32(bits: u16) -> f32 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let mantissa = f32::from(bits & 0x3ff);
    match exponent {
        0 => sign * mantissa * 2f32.powi(-24),
        31 if mantissa == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN,
        e => sign * (1.0 + mantissa / 1024.0) * 2f32.powi(e - 15),
    }
}

/// One block's scale and its 32 weights as integers −8..7.
pub fn unpack_block(block: &[u8]) -> (f32, [i8; BLOCK]) {
    let scale = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
    let mut w = [0i8; BLOCK];
    for j in 0..16 {
        let byte = block[2 + j];
        w[j] = (byte & 0x0f) as i8 - 8;
        w[j + 16] = (byte >> 4) as i8 - 8;
    }
    (scale, w)
}

/// Dequantises `out.len()` weights from their blocks (an embedding row).
pub fn dequantise(blocks: &[u8], out: &mut [f32]) {
    for (chunk, block) in out.chunks_mut(BLOCK).zip(blocks.chunks(BLOCK_BYTES)) {
        let (scale, w) = unpack_block(block);
        for (o, q) in chunk.iter_mut().zip(w) {
            *o = f32::from(q) * scale;
        }
    }
}

/// A weight matrix `[rows, cols]` (PyTorch's `[out, in]`): i8 weights with a scale per block.
pub struct Q4Matrix {
    pub rows: usize,
    pub cols: usize,
    /// As i8 (21 MB for the encoder), read once per question: with few tokens the
    /// product waits on memory, so the weights stay as small as the instructions allow.
    weights: Vec<i8>,
    scales: Vec<f32>,
}

impl Q4Matrix {
    /// From `rows × cols` weights in 4-bit blocks (`cols` a multiple of 32).
    pub fn new(blocks: &[u8], rows: usize, cols: usize) -> Q4Matrix {
        let n_blocks = rows * cols / BLOCK;
        let mut weights = Vec::with_capacity(rows * cols);
        let mut scales = Vec::with_capacity(n_blocks);
        for block in blocks.chunks(BLOCK_BYTES).take(n_blocks) {
            let (scale, w) = unpack_block(block);
            scales.push(scale);
            weights.extend_from_slice(&w);
        }
        Q4Matrix {
            rows,
            cols,
            weights,
            scales,
        }
    }
}

/// Activations of `tokens` rows quantised per block of 32 to int8 with an f32 scale, as the
/// package does before every matrix product (rounding half to even).
pub struct Q8Rows {
    /// int8 values, held as i16: pairs of i16 multiply-add into i32 in one instruction.
    values: Vec<i16>,
    scales: Vec<f32>,
    cols: usize,
}

impl Q8Rows {
    pub fn new(x: &[f32], cols: usize) -> Q8Rows {
        let mut values = Vec::with_capacity(x.len());
        let mut scales = Vec::with_capacity(x.len() / BLOCK);
        for block in x.chunks(BLOCK) {
            let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
            let scale = amax / 127.0;
            let inverse = if scale > 0.0 { 1.0 / scale } else { 0.0 };
            scales.push(scale);
            values.extend(
                block
                    .iter()
                    .map(|v| round_half_even(v * inverse).clamp(-128.0, 127.0) as i16),
            );
        }
        Q8Rows {
            values,
            scales,
            cols,
        }
    }
}

/// Rounds half to even, for |x| up to 2²² (here at most 127.5): adding and taking away
/// 1.5 × 2²³ leaves no fraction bits, and the FPU's default rounding is half to even. The
/// library call `round_ties_even` is not inlined on baseline x86-64 and cost a twentieth of the
/// time.
fn round_half_even(x: f32) -> f32 {
    const SHIFT: f32 = 12_582_912.0;
    (x + SHIFT) - SHIFT
}

fn dot32(w: &[i8], a: &[i16]) -> i32 {
    w.iter()
        .zip(a)
        .map(|(x, y)| i32::from(*x) * i32::from(*y))
        .sum()
}

/// Output rows one task computes: enough work (~70 k products) to outweigh handing it to
/// another core.
const ROWS_PER_TASK: usize = 48;

/// `y = x·Wᵀ + b` for every row of `x`: `[tokens, m.rows]`. The output rows are shared out
/// over the cores (rayon), each computing its rows for every token; with AVX2 where the CPU
/// has it.
pub fn matmul(x: &Q8Rows, m: &Q4Matrix, bias: &[f32]) -> Vec<f32> {
    #[cfg(target_arch = "x86_64")]
    let wide = pulp::x86::V3::is_available();
    #[cfg(not(target_arch = "x86_64"))]
    let wide = false;
    matmul_on(x, m, bias, wide)
}

/// The product with AVX2 (`wide`, where the CPU has it) or the portable loop.
fn matmul_on(x: &Q8Rows, m: &Q4Matrix, bias: &[f32], wide: bool) -> Vec<f32> {
    use rayon::prelude::*;
    let tokens = x.values.len() / x.cols;
    // Output row by output row (`[m.rows, tokens]`), so each task writes its own slice.
    let mut by_row = vec![0f32; tokens * m.rows];
    by_row
        .par_chunks_mut(ROWS_PER_TASK * tokens.max(1))
        .enumerate()
        .for_each(|(task, out)| {
            let rows = TaskRows {
                x,
                m,
                bias,
                first_row: task * ROWS_PER_TASK,
                out,
            };
            #[cfg(target_arch = "x86_64")]
            if let Some(simd) = pulp::x86::V3::try_new().filter(|_| wide) {
                return simd.vectorize(avx2::Kernel { simd, rows });
            }
            #[cfg(not(target_arch = "x86_64"))]
            let _ = wide;
            rows.compute(dot_scaled)
        });
    let mut y = vec![0f32; tokens * m.rows];
    for o in 0..m.rows {
        for t in 0..tokens {
            y[t * m.rows + o] = by_row[o * tokens + t];
        }
    }
    y
}

/// One task's output rows, for every token.
struct TaskRows<'a> {
    x: &'a Q8Rows,
    m: &'a Q4Matrix,
    bias: &'a [f32],
    first_row: usize,
    /// `[rows of this task, tokens]`.
    out: &'a mut [f32],
}

impl TaskRows<'_> {
    /// Each output by `dot`: Σ over blocks of the integer dot product times the two blocks'
    /// scales (weights, activations, their scales).
    #[inline(always)]
    fn compute(self, dot: impl Fn(&[i8], &[i16], &[f32], &[f32]) -> f32) {
        let TaskRows {
            x,
            m,
            bias,
            first_row,
            out,
        } = self;
        let tokens = x.values.len() / x.cols;
        let blocks = m.cols / BLOCK;
        for (i, per_token) in out.chunks_mut(tokens.max(1)).enumerate() {
            let o = first_row + i;
            let w_row = &m.weights[o * m.cols..(o + 1) * m.cols];
            let w_scales = &m.scales[o * blocks..(o + 1) * blocks];
            for (t, y) in per_token.iter_mut().enumerate().take(tokens) {
                let a_row = &x.values[t * x.cols..(t + 1) * x.cols];
                let a_scales = &x.scales[t * blocks..(t + 1) * blocks];
                *y = dot(w_row, a_row, w_scales, a_scales) + bias[o];
            }
        }
    }
}

/// The portable product: integer dot per block (vectorised by the compiler for baseline
/// x86-64), scaled and summed.
fn dot_scaled(w: &[i8], a: &[i16], w_scales: &[f32], a_scales: &[f32]) -> f32 {
    w.chunks_exact(BLOCK)
        .zip(a.chunks_exact(BLOCK))
        .zip(w_scales.iter().zip(a_scales))
        .map(|((w, a), (ws, aw))| dot32(w, a) as f32 * (ws * aw))
        .sum()
}

/// The product with AVX2 where the CPU has it (checked at run time by `pulp`, whose tokens
/// make the intrinsics safe to call): 16 products per instruction, and each block's sums kept
/// in eight lanes, scaled there and added across blocks, so that a block ends in no
/// horizontal sum — the portable version's horizontal sum per block is what costs most.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use core::arch::x86_64::{__m256, __m256i};

    use pulp::x86::V3;

    use super::{BLOCK, TaskRows};

    pub struct Kernel<'a> {
        pub simd: V3,
        pub rows: TaskRows<'a>,
    }

    impl pulp::NullaryFnOnce for Kernel<'_> {
        type Output = ();

        #[inline(always)]
        fn call(self) {
            let simd = self.simd;
            self.rows
                .compute(|w, a, ws, aw| dot_scaled(simd, w, a, ws, aw));
        }
    }

    #[inline(always)]
    pub(super) fn dot_scaled(
        simd: V3,
        w: &[i8],
        a: &[i16],
        w_scales: &[f32],
        a_scales: &[f32],
    ) -> f32 {
        let (w, _) = w.as_chunks::<16>();
        let (a, _) = a.as_chunks::<16>();
        let mut sum = simd.avx._mm256_setzero_ps();
        for ((w, a), (ws, aw)) in w
            .chunks_exact(BLOCK / 16)
            .zip(a.chunks_exact(BLOCK / 16))
            .zip(w_scales.iter().zip(a_scales))
        {
            let load = |v: &[i16; 16]| pulp::cast::<[i16; 16], __m256i>(*v);
            let widen = |v: &[i8; 16]| simd.avx2._mm256_cvtepi8_epi16(pulp::cast(*v));
            let low = simd.avx2._mm256_madd_epi16(widen(&w[0]), load(&a[0]));
            let high = simd.avx2._mm256_madd_epi16(widen(&w[1]), load(&a[1]));
            let block = simd
                .avx
                ._mm256_cvtepi32_ps(simd.avx2._mm256_add_epi32(low, high));
            let scale = simd.avx._mm256_set1_ps(ws * aw);
            sum = simd.fma._mm256_fmadd_ps(block, scale, sum);
        }
        pulp::cast::<__m256, [f32; 8]>(sum).iter().sum()
    }
}

/// The error function, for the exact GELU the model uses (the standard library has none):
/// Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7 — far inside what the 4-bit
/// weights leave of the model's precision.
pub fn erf(x: f32) -> f32 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let e = 1.0 - poly * (-z * z).exp();
    if x >= 0.0 { e } else { -e }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AVX2 product (taken wherever the CPU has it, so the one the reference test pins
    /// on such machines) and the portable one agree, on the model's three shapes, for one
    /// token and several.
    #[test]
    fn both_products_agree() {
        #[cfg(target_arch = "x86_64")]
        let wide = pulp::x86::V3::is_available();
        #[cfg(not(target_arch = "x86_64"))]
        let wide = false;
        if !wide {
            eprintln!("no AVX2 on this CPU: only the portable product runs here");
            return;
        }
        let mut seed = 7u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            seed >> 16
        };
        for (rows, cols) in [(384, 384), (1536, 384), (384, 1536)] {
            let mut blocks = Vec::new();
            for _ in 0..rows * cols / BLOCK {
                // An f16 scale between 1/32 and 1/16, then 16 bytes of nibbles.
                blocks.extend_from_slice(&(0x2800u16 + (next() % 0x400) as u16).to_le_bytes());
                blocks.extend((0..16).map(|_| next() as u8));
            }
            let m = Q4Matrix::new(&blocks, rows, cols);
            let bias: Vec<f32> = (0..rows).map(|i| i as f32 * 1e-3).collect();
            for tokens in [1, 3] {
                let x: Vec<f32> = (0..tokens * cols)
                    .map(|_| (next() % 2001) as f32 / 1000.0 - 1.0)
                    .collect();
                let q = Q8Rows::new(&x, cols);
                let portable = matmul_on(&q, &m, &bias, false);
                let avx2 = matmul_on(&q, &m, &bias, true);
                assert_eq!(portable.len(), tokens * rows);
                for (i, (a, b)) in portable.iter().zip(&avx2).enumerate() {
                    assert!(
                        (a - b).abs() <= 1e-4 * a.abs().max(1.0),
                        "{rows}×{cols}, {tokens} tokens, output {i}: {a} against {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn half_floats() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
        assert!(f16_to_f32(0x7e00).is_nan());
    }

    #[test]
    fn nibbles_low_then_high() {
        let mut block = [0u8; BLOCK_BYTES];
        block[..2].copy_from_slice(&0x3c00u16.to_le_bytes());
        block[2] = 0xf0; // weight 0: 0 − 8; weight 16: 15 − 8
        let (scale, w) = unpack_block(&block);
        assert_eq!(scale, 1.0);
        assert_eq!((w[0], w[16], w[1]), (-8, 7, -8));
    }

    #[test]
    fn rounding_half_to_even() {
        for (x, want) in [
            (0.5, 0.0),
            (1.5, 2.0),
            (2.5, 2.0),
            (-0.5, 0.0),
            (-1.5, -2.0),
            (126.7, 127.0),
        ] {
            assert_eq!(round_half_even(x), want, "{x}");
        }
    }

    #[test]
    fn error_function() {
        for (x, want) in [
            (0.0, 0.0),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (-2.0, -0.995_322_3),
        ] {
            assert!((erf(x) - want).abs() < 5e-7, "erf({x}) = {}", erf(x));
        }
    }
}
