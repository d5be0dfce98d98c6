//! edgesim serve
