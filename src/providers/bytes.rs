//! A position in a JSON document's bytes, for the scanners that read a document without
//! serde: the format sniffer (`sniff`) and CBOE's option-row scanner (`cboe::fast`). Each
//! adds the reading it needs in an `impl` block of its own.

/// A byte position in a document.
pub(super) struct Cursor<'a> {
    /// The document as text, for slices of it that are text (cut at ASCII bytes, they need no
    /// second check of their UTF-8).
    pub(super) s: &'a str,
    /// The document's bytes.
    pub(super) b: &'a [u8],
    pub(super) i: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(s: &'a str) -> Cursor<'a> {
        Cursor {
            s,
            b: s.as_bytes(),
            i: 0,
        }
    }

    /// The byte here, if any.
    pub(super) fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// The byte here, consumed.
    pub(super) fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    /// Exactly `ch` here, consumed (no whitespace before it).
    pub(super) fn eat(&mut self, ch: u8) -> Option<()> {
        (self.next()? == ch).then_some(())
    }

    /// The bytes from here on.
    pub(super) fn rest(&self) -> &'a [u8] {
        self.b.get(self.i..).unwrap_or_default()
    }

    /// JSON's whitespace (space, tab, line feed, carriage return), skipped.
    pub(super) fn ws(&mut self) {
        // Almost always none or one space.
        match self.peek() {
            Some(b' ') => {
                self.i += 1;
                if !matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
                    return;
                }
            }
            Some(b'\n' | b'\r' | b'\t') => {}
            _ => return,
        }
        self.i += self
            .rest()
            .iter()
            .take_while(|c| matches!(c, b' ' | b'\n' | b'\r' | b'\t'))
            .count();
    }
}
