//! tmkit-interop (see the stage overview in tmkit-syntax).
