//! ironcell-cli
