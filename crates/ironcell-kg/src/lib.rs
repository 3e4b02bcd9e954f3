//! ironcell-kg
