//! The byte layout of CortEX events: a version byte, a kind byte, the
//! producer's origin hash, then the kind's fields (little-endian integers,
//! `u32`-length-prefixed UTF-8 strings, `u16`-counted string lists).
//! Every read checks the remaining length first; a short or malformed
//! event is an error, never a panic.

/// The event format version written first in every event.
pub(crate) const EVENT_VERSION: u8 = 1;

/// Builds one event.
pub(crate) struct Writer<'a>(pub &'a mut Vec<u8>);

impl Writer<'_> {
    /// Start an event of `kind` from `origin`.
    pub fn header(out: &mut Vec<u8>, kind: u8, origin: u64) -> Writer<'_> {
        out.push(EVENT_VERSION);
        out.push(kind);
        out.extend_from_slice(&origin.to_le_bytes());
        Writer(out)
    }

    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }

    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.0.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    pub fn strs<S: AsRef<str>>(&mut self, list: &[S]) -> &mut Self {
        self.0.extend_from_slice(&(list.len() as u16).to_le_bytes());
        for s in list {
            self.str(s.as_ref());
        }
        self
    }
}

/// Reads one event.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Check the version and return `(kind, origin, reader over the fields)`.
    pub fn open(bytes: &'a [u8]) -> Result<(u8, u64, Reader<'a>), String> {
        let mut r = Reader { rest: bytes };
        let version = r.u8()?;
        if version != EVENT_VERSION {
            return Err(format!("unknown event version {version}"));
        }
        let kind = r.u8()?;
        let origin = r.u64()?;
        Ok((kind, origin, r))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.rest.len() < n {
            return Err(format!("event truncated: needed {n} more bytes, {} left", self.rest.len()));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    pub fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    pub fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    pub fn str(&mut self) -> Result<String, String> {
        let len = u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")) as usize;
        let raw = self.take(len)?;
        String::from_utf8(raw.to_vec()).map_err(|_| "string field is not UTF-8".to_string())
    }

    pub fn strs(&mut self) -> Result<Vec<String>, String> {
        let n = u16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")) as usize;
        (0..n).map(|_| self.str()).collect()
    }

    /// The event must end here: trailing bytes mean a different layout.
    pub fn finish(self) -> Result<(), String> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(format!("{} unexpected trailing bytes", self.rest.len()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_truncation_is_an_error() {
        let mut out = Vec::new();
        Writer::header(&mut out, 3, 0xABCD).u64(7).str("héllo").strs(&["a", "bc"]).u8(1);
        let read = |b: &[u8]| -> Result<_, String> {
            let (kind, origin, mut r) = Reader::open(b)?;
            let v = (kind, origin, r.u64()?, r.str()?, r.strs()?, r.u8()?);
            r.finish()?;
            Ok(v)
        };
        assert_eq!(read(&out).unwrap(), (3, 0xABCD, 7, "héllo".to_string(), vec!["a".into(), "bc".into()], 1));
        for cut in 0..out.len() {
            assert!(read(&out[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = out.clone();
        long.push(0);
        assert!(read(&long).unwrap_err().contains("trailing"));
        let mut bad_version = out.clone();
        bad_version[0] = 9;
        assert!(read(&bad_version).unwrap_err().contains("version"));
    }
}
