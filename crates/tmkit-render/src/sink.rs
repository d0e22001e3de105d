//! Where the Markdown and HTML reports are printed: a text buffer that is
//! handed to the output as it fills, so that a report is written as it is
//! produced and never held whole in memory.

use std::io;
use std::ops::{Deref, DerefMut};

/// Bytes gathered before they are written out.
const SPILL_AT: usize = 64 * 1024;

/// A text buffer in front of an output.
pub(crate) struct Sink<'w> {
    buf: String,
    out: &'w mut dyn io::Write,
    error: Option<io::Error>,
    wrote: bool,
    /// Keep trailing line breaks in the buffer when spilling (Markdown looks
    /// back at them to decide on blank lines, and trims them at the end).
    keep_breaks: bool,
}

impl<'w> Sink<'w> {
    /// A sink writing to `out`; `keep_breaks` holds trailing line breaks back.
    pub(crate) fn new(out: &'w mut dyn io::Write, keep_breaks: bool) -> Self {
        Sink {
            buf: String::with_capacity(SPILL_AT + 4096),
            out,
            error: None,
            wrote: false,
            keep_breaks,
        }
    }

    /// Nothing has been printed yet.
    pub(crate) fn is_fresh(&self) -> bool {
        self.buf.is_empty() && !self.wrote
    }

    /// Writes the buffer out once it holds enough text.
    pub(crate) fn spill(&mut self) {
        if self.buf.len() >= SPILL_AT {
            self.write_out();
        }
    }

    /// Writes what is buffered, then `s` straight to the output, without
    /// copying it (for a large piece printed whole). Only for a sink that
    /// does not hold line breaks back.
    pub(crate) fn write_through(&mut self, s: &str) {
        debug_assert!(!self.keep_breaks);
        self.write_out();
        if self.error.is_none() && !s.is_empty() {
            if let Err(e) = self.out.write_all(s.as_bytes()) {
                self.error = Some(e);
            }
            self.wrote = true;
        }
    }

    fn write_out(&mut self) {
        let n = if self.keep_breaks {
            self.buf.trim_end_matches('\n').len()
        } else {
            self.buf.len()
        };
        if n == 0 || self.error.is_some() {
            return;
        }
        if let Err(e) = self.out.write_all(&self.buf.as_bytes()[..n]) {
            self.error = Some(e);
        }
        self.buf.drain(..n);
        self.wrote = true;
    }

    /// Writes what is left; the first error met, if any.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.keep_breaks = false;
        self.write_out();
        self.error.map_or(Ok(()), Err)
    }
}

impl Deref for Sink<'_> {
    type Target = String;
    fn deref(&self) -> &String {
        &self.buf
    }
}

impl DerefMut for Sink<'_> {
    fn deref_mut(&mut self) -> &mut String {
        &mut self.buf
    }
}

impl std::fmt::Write for Sink<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.buf.push_str(s);
        Ok(())
    }
}

/// Renders into a string through a sink (for the `render` functions).
pub(crate) fn to_string(write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>) -> String {
    let mut out = Vec::new();
    // Writing to memory never fails.
    let _ = write(&mut out);
    String::from_utf8(out).unwrap_or_default()
}
