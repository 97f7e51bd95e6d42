//! Loading a compiled lexicon from arbitrary bytes must give an error (or a lexicon), never a panic.
//! Half of the inputs get the valid magic line so that the fuzzer works past the header check; the checksum
//! check then rejects them, which is the guard in front of the automaton (see rasd_lexicon::format).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rasd_lexicon::Lexicon;

fuzz_target!(|data: &[u8]| {
    let _ = Lexicon::from_bytes(data);
    let mut with_magic = rasd_lexicon::format::MAGIC.to_vec();
    with_magic.extend_from_slice(data);
    let _ = Lexicon::from_bytes(&with_magic);
    // A damaged real lexicon: flip the bytes the input names.
    let mut real = Lexicon::embedded_bytes().to_vec();
    if !real.is_empty() {
        for pair in data.chunks_exact(3) {
            let at = (usize::from(pair[0]) << 8 | usize::from(pair[1])) % real.len();
            real[at] ^= pair[2];
        }
        let _ = Lexicon::from_bytes(&real);
    }
});
