//! `texts.bin`: the paragraph texts beside an index, read one at a time.
//!
//! Layout (integers little-endian): `"BRF-TEXT"`, version `u32`, the texts
//! concatenated, the end offset of each text as `u64` (relative to the first
//! text), then the number of texts `u64` and `"BRF-TEXT"` again.

use crate::{Error, Result};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The name of the texts file inside an index directory.
pub const TEXTS_FILE: &str = "texts.bin";

const MAGIC: &[u8; 8] = b"BRF-TEXT";
const VERSION: u32 = 1;
const HEAD: u64 = 12;

/// Writes `dir/texts.bin` ([`TEXTS_FILE`]), one text after another.
///
/// The file is written under a temporary name and renamed by
/// [`TextStoreWriter::finish`]; dropping the writer unfinished leaves no
/// `texts.bin` behind.
///
/// ```
/// use briefing_retrieval::bm25::{TextStore, TextStoreWriter};
/// let dir = tempfile::tempdir().unwrap();
/// let mut writer = TextStoreWriter::create(dir.path()).unwrap();
/// writer.append("First paragraph.").unwrap();
/// writer.append("Second paragraph.").unwrap();
/// writer.finish().unwrap();
/// let store = TextStore::open(dir.path()).unwrap();
/// assert_eq!(store.len(), 2);
/// assert_eq!(store.get(1).unwrap(), "Second paragraph.");
/// ```
#[derive(Debug)]
pub struct TextStoreWriter {
    out: Option<BufWriter<File>>,
    tmp: PathBuf,
    path: PathBuf,
    ends: Vec<u64>,
    n_bytes: u64,
}

impl TextStoreWriter {
    /// Starts `dir/texts.bin`, creating `dir` if needed.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the directory or file cannot be created.
    pub fn create(dir: &Path) -> Result<TextStoreWriter> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(TEXTS_FILE);
        let tmp = dir.join(format!("{TEXTS_FILE}.tmp"));
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        out.write_all(MAGIC)?;
        out.write_all(&VERSION.to_le_bytes())?;
        Ok(TextStoreWriter { out: Some(out), tmp, path, ends: Vec::new(), n_bytes: 0 })
    }

    /// Appends the next text.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when writing fails.
    pub fn append(&mut self, text: &str) -> Result<()> {
        if let Some(out) = &mut self.out {
            out.write_all(text.as_bytes())?;
        }
        self.n_bytes += text.len() as u64;
        self.ends.push(self.n_bytes);
        Ok(())
    }

    /// How many texts were appended.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no text was appended.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Writes the offsets table and renames the file to `texts.bin`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when writing or renaming fails.
    pub fn finish(mut self) -> Result<()> {
        let Some(mut out) = self.out.take() else { return Ok(()) };
        for end in &self.ends {
            out.write_all(&end.to_le_bytes())?;
        }
        out.write_all(&(self.ends.len() as u64).to_le_bytes())?;
        out.write_all(MAGIC)?;
        out.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        std::fs::rename(&self.tmp, &self.path)?;
        Ok(())
    }
}

impl Drop for TextStoreWriter {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Reads texts from `dir/texts.bin` on demand (two small reads per text).
#[derive(Debug)]
pub struct TextStore {
    file: Mutex<File>,
    n_texts: u64,
    table_start: u64,
}

impl TextStore {
    /// Opens `dir/texts.bin` written by [`TextStoreWriter`].
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read or is not a complete texts file.
    pub fn open(dir: &Path) -> Result<TextStore> {
        let mut file = File::open(dir.join(TEXTS_FILE))?;
        let len = file.metadata()?.len();
        let mut head = [0u8; 12];
        file.read_exact(&mut head).map_err(|_| corrupt())?;
        if head.get(..8) != Some(MAGIC.as_slice())
            || head.get(8..) != Some(VERSION.to_le_bytes().as_slice())
        {
            return Err(corrupt());
        }
        let tail_start = len.checked_sub(16).filter(|&start| start >= HEAD).ok_or_else(corrupt)?;
        file.seek(SeekFrom::Start(tail_start))?;
        let mut tail = [0u8; 16];
        file.read_exact(&mut tail)?;
        let (count, magic) = tail.split_at(8);
        if magic != MAGIC.as_slice() {
            return Err(corrupt());
        }
        let n_texts = u64::from_le_bytes(count.try_into().map_err(|_| corrupt())?);
        let table_start = n_texts
            .checked_mul(8)
            .and_then(|table| tail_start.checked_sub(table))
            .filter(|&start| start >= HEAD)
            .ok_or_else(corrupt)?;
        Ok(TextStore { file: Mutex::new(file), n_texts, table_start })
    }

    /// How many texts the store holds.
    #[must_use]
    pub fn len(&self) -> usize {
        usize::try_from(self.n_texts).unwrap_or(usize::MAX)
    }

    /// Whether the store holds no text.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.n_texts == 0
    }

    /// Text number `idx`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when `idx` is out of range, reading fails or the file
    /// is damaged.
    pub fn get(&self, idx: usize) -> Result<String> {
        let idx = idx as u64;
        if idx >= self.n_texts {
            return Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("no text {idx}: the store holds {}", self.n_texts),
            )));
        }
        let mut file = self.file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (start, end) = if idx == 0 {
            file.seek(SeekFrom::Start(self.table_start))?;
            (0, read_u64(&mut file)?)
        } else {
            file.seek(SeekFrom::Start(self.table_start + (idx - 1) * 8))?;
            (read_u64(&mut file)?, read_u64(&mut file)?)
        };
        if start > end || HEAD + end > self.table_start {
            return Err(corrupt());
        }
        file.seek(SeekFrom::Start(HEAD + start))?;
        let mut bytes = vec![0u8; usize::try_from(end - start).map_err(|_| corrupt())?];
        file.read_exact(&mut bytes)?;
        String::from_utf8(bytes).map_err(|_| corrupt())
    }
}

fn read_u64(file: &mut File) -> Result<u64> {
    let mut bytes = [0u8; 8];
    file.read_exact(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes))
}

fn corrupt() -> Error {
    Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, "not a complete texts.bin file"))
}

impl TextStore {
    /// The path of the texts file in `dir`.
    #[must_use]
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(TEXTS_FILE)
    }
}
