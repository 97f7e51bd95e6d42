//! The Arabic text layer of rasd.
//!
//! Everything here works on the ORIGINAL text and reports byte offsets into it:
//! - [`normalize`]: folding for matching (tashkeel, tatweel, alef/ya/ta-marbuta variants, Persian lookalikes,
//!   digits, punctuation, invisible marks) with an alignment back to the original;
//! - [`tokenize`]: tokens of mixed Arabic, Latin, digits, quotes and brackets;
//! - [`sentence`]: sentence splitting that respects decimals, dates and abbreviations;
//! - [`segment`]: conservative clitic segmentation guided by a known-word list;
//! - [`numbers`]: counts in digits or words, vague quantities, qualifiers, percentages and ranges.

pub mod normalize;
pub mod numbers;
pub mod segment;
pub mod sentence;
pub mod tokenize;
pub mod window;

pub use normalize::{Mode, Normalized, Normalizer, TooLarge, fold_str, normalize_key, push_folded};
pub use numbers::{NumberKind, NumberMention, Qualifier, find_numbers};
pub use segment::{Piece, Role, Segmentation, Segmenter};
pub use sentence::{Sentence, split_sentences};
pub use tokenize::{Token, TokenKind, Tokenizer, tokenize};
pub use window::windows;
