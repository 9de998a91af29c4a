//! Channels between tasks (and threads): [`mpsc`] and [`oneshot`].

pub mod mpsc;
pub mod oneshot;
