//! What ccplan says beside its output, in one place: the `warning: ` and `note: ` lines on
//! standard error, and the titles and headings of the human formats (`# `/`## ` in
//! Markdown, a plain line in text).
//!
//! A closed or broken standard error is not a reason to stop (or panic, as `eprintln!`
//! would): these lines are written and any failure ignored.

use std::fmt::Display;
use std::io::{self, Write};

use ccplan::export::Format;

/// `warning: MSG` on standard error: something went wrong and the output is affected.
pub fn warn(msg: impl Display) {
    let _ = writeln!(io::stderr().lock(), "warning: {msg}");
}

/// `note: MSG` on standard error: something worth knowing about the output.
pub fn note(msg: impl Display) {
    let _ = writeln!(io::stderr().lock(), "note: {msg}");
}

/// A document's title: `# TEXT` and a blank line in Markdown; nothing in other formats
/// (the text formats start with their summary line).
pub fn title(f: Format, w: &mut dyn Write, text: impl Display) -> io::Result<()> {
    if f == Format::Md {
        writeln!(w, "# {text}\n")?;
    }
    Ok(())
}

/// A section heading after a blank line: `## TEXT` and a blank line in Markdown, the text on
/// its own line otherwise.
pub fn heading(f: Format, w: &mut dyn Write, text: impl Display) -> io::Result<()> {
    if f == Format::Md {
        writeln!(w, "\n## {text}\n")
    } else {
        writeln!(w, "\n{text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(g: impl Fn(&mut dyn Write) -> io::Result<()>) -> String {
        let mut v = Vec::new();
        g(&mut v).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn headings_in_markdown_and_text() {
        assert_eq!(out(|w| heading(Format::Md, w, "Notes")), "\n## Notes\n\n");
        assert_eq!(out(|w| heading(Format::Table, w, "Notes")), "\nNotes\n");
        assert_eq!(
            out(|w| title(Format::Md, w, "Written calls")),
            "# Written calls\n\n"
        );
        assert_eq!(out(|w| title(Format::Table, w, "Written calls")), "");
    }
}
