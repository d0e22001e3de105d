//! tmkit-render (see the stage overview in tmkit-syntax).
