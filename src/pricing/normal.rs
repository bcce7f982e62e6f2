//! The standard normal distribution, accurate in the tails.
