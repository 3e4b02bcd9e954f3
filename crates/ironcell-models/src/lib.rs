//! ironcell-models
