//! tmkit-render (see the stage overview in tmkit-syntax).
#![warn(missing_docs)]

pub mod diagram;
