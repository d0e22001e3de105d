//! tmkit-analysis (see the stage overview in tmkit-syntax).
