//! The wording shared by every message: one way to say a count, the same
//! as in the text outputs (`tmkit_render::table`).

pub use tmkit_render::table::{count, plural};
