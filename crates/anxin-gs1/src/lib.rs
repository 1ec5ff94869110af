//! GS1 keys for Anxin. (Being written: see issue 2.)
