//! CBV 2.0 event hash IDs. (Being written: see issue 2.)
