//! Words: split text, normalize, stem and flag stopwords.

use crate::keytable::KeyTable;
use crate::normalize::{WordNormalizer, fold_char};
use crate::scan::{self, WordPreTokenizer};
use crate::{ENGLISH_STOPWORDS, Error, Result, Span, Stopwords};
use ahash::{AHashMap, AHashSet};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use tokenizers::{OffsetReferential, OffsetType, PreTokenizedString, PreTokenizer as _};

/// One word of a text.
///
/// ```
/// use briefing_tokenize::Analyzer;
/// let text = "Crème brûlée’s";
/// let words = Analyzer::english().words(text);
/// assert_eq!(&text[words[1].span.range()], "brûlée’s");
/// assert_eq!(words[1].norm, "brulee's");
/// assert_eq!(words[1].key, "brule");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Word {
    /// Byte span of the surface form in the original text.
    pub span: Span,
    /// Normalized surface form: NFKC, curly quotes folded to ASCII, then
    /// lowercased and accent-stripped when the analyzer does so.
    pub norm: String,
    /// Matching key: the stem of `norm` when stemming is on, else `norm`.
    pub key: String,
    /// Whether `norm` is in the analyzer's stopword list.
    pub is_stopword: bool,
}

/// One word of a text, borrowed: what [`Analyzer::for_each_token`] lends for each word
/// instead of building a [`Word`].
///
/// `norm` and `key` point into the text itself (when already normal) or into buffers that
/// the analyzer reuses, so a token only lives for one call of the closure.
///
/// ```
/// use briefing_tokenize::{Analyzer, Span, Token};
/// let text = "Crème brûlée’s";
/// let mut tokens = Vec::new();
/// Analyzer::english().for_each_token(text, |token: Token<'_>| tokens.push(token.to_word()));
/// assert_eq!(tokens[1].span, Span::new(7, 19));
/// assert_eq!((tokens[1].norm.as_str(), tokens[1].key.as_str()), ("brulee's", "brule"));
/// assert_eq!(tokens, Analyzer::english().words(text));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Token<'a> {
    /// Byte span of the surface form in the original text.
    pub span: Span,
    /// Normalized surface form, as [`Word::norm`].
    pub norm: &'a str,
    /// Matching key, as [`Word::key`].
    pub key: &'a str,
    /// Whether `norm` is in the analyzer's stopword list.
    pub is_stopword: bool,
}

impl Token<'_> {
    /// The token as an owned [`Word`].
    #[must_use]
    pub fn to_word(&self) -> Word {
        Word {
            span: self.span,
            norm: self.norm.to_owned(),
            key: self.key.to_owned(),
            is_stopword: self.is_stopword,
        }
    }
}

impl From<Token<'_>> for Word {
    fn from(token: Token<'_>) -> Word {
        token.to_word()
    }
}

/// A Snowball stemming algorithm (from `rust-stemmers`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Stemmer {
    /// Snowball English (Porter2).
    English,
    /// Snowball Russian.
    Russian,
    /// Snowball German.
    German,
    /// Snowball French.
    French,
    /// Snowball Spanish.
    Spanish,
    /// Snowball Italian.
    Italian,
    /// Snowball Portuguese.
    Portuguese,
    /// Snowball Dutch.
    Dutch,
}

impl Stemmer {
    fn algorithm(self) -> rust_stemmers::Algorithm {
        use rust_stemmers::Algorithm;
        match self {
            Stemmer::English => Algorithm::English,
            Stemmer::Russian => Algorithm::Russian,
            Stemmer::German => Algorithm::German,
            Stemmer::French => Algorithm::French,
            Stemmer::Spanish => Algorithm::Spanish,
            Stemmer::Italian => Algorithm::Italian,
            Stemmer::Portuguese => Algorithm::Portuguese,
            Stemmer::Dutch => Algorithm::Dutch,
        }
    }
}

/// Builds an [`Analyzer`]; every setting defaults to [`Analyzer::english`]'s.
///
/// ```
/// use briefing_tokenize::{Analyzer, Stopwords};
/// let analyzer = Analyzer::builder()
///     .stemmer(None)
///     .stopwords(Stopwords::None)
///     .build()
///     .unwrap();
/// let keys: Vec<String> = analyzer.words("The running dogs").into_iter().map(|w| w.key).collect();
/// assert_eq!(keys, ["the", "running", "dogs"]);
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct AnalyzerBuilder {
    lowercase: bool,
    strip_accents: bool,
    stemmer: Option<Stemmer>,
    stopwords: Stopwords,
}

impl Default for AnalyzerBuilder {
    fn default() -> AnalyzerBuilder {
        AnalyzerBuilder {
            lowercase: true,
            strip_accents: true,
            stemmer: Some(Stemmer::English),
            stopwords: Stopwords::English,
        }
    }
}

impl AnalyzerBuilder {
    /// Lowercase words (default `true`).
    pub fn lowercase(mut self, yes: bool) -> AnalyzerBuilder {
        self.lowercase = yes;
        self
    }

    /// Strip accents and other combining marks (default `true`).
    pub fn strip_accents(mut self, yes: bool) -> AnalyzerBuilder {
        self.strip_accents = yes;
        self
    }

    /// Stemmer for [`Word::key`], or `None` for `key == norm` (default English).
    pub fn stemmer(mut self, stemmer: Option<Stemmer>) -> AnalyzerBuilder {
        self.stemmer = stemmer;
        self
    }

    /// Stopword list (default [`Stopwords::English`]).
    pub fn stopwords(mut self, stopwords: Stopwords) -> AnalyzerBuilder {
        self.stopwords = stopwords;
        self
    }

    /// Builds the analyzer.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] if a custom stopword is empty or is not a single
    /// word (it could never match).
    ///
    /// ```
    /// use briefing_tokenize::{Analyzer, Stopwords};
    /// let bad = Analyzer::builder().stopwords(Stopwords::Custom(vec!["of the".into()])).build();
    /// assert!(bad.is_err());
    /// ```
    pub fn build(self) -> Result<Analyzer> {
        let custom: &[String] = match &self.stopwords {
            Stopwords::Custom(words) => words,
            Stopwords::English | Stopwords::None => &[],
        };
        for word in custom {
            let mut spans = Vec::new();
            scan::scan_unicode(word, |start, end| spans.push((start, end)));
            if spans != [(0, word.len())] {
                return Err(Error::Config(format!("stopword {word:?} is not a single word")));
            }
        }
        Ok(self.build_checked())
    }

    /// Builds an analyzer whose stopwords are known to be single words.
    fn build_checked(self) -> Analyzer {
        let normalizer = WordNormalizer::new(self.lowercase, self.strip_accents);
        let list: Vec<&str> = match &self.stopwords {
            Stopwords::English => ENGLISH_STOPWORDS.to_vec(),
            Stopwords::None => Vec::new(),
            Stopwords::Custom(words) => words.iter().map(String::as_str).collect(),
        };
        let stopwords: AHashSet<String> =
            list.iter().map(|word| normalizer.normalize_str(word).to_lowercase()).collect();
        let max_stopword_len = stopwords.iter().map(String::len).max().unwrap_or(0);
        let stemmer = self.stemmer.map(|stemmer| StemmerImpl {
            stemmer,
            inner: rust_stemmers::Stemmer::create(stemmer.algorithm()),
        });
        Analyzer {
            inner: Arc::new(Inner {
                settings: Arc::new(Settings {
                    lowercase: self.lowercase,
                    strip_accents: self.strip_accents,
                    stemmer: self.stemmer,
                    stopwords: self.stopwords.clone(),
                }),
                lowercase: self.lowercase,
                strip_accents: self.strip_accents,
                normalizer,
                stemmer,
                stopwords,
                max_stopword_len,
            }),
        }
    }
}

struct StemmerImpl {
    stemmer: Stemmer,
    inner: rust_stemmers::Stemmer,
}

/// Most analyzers whose key tables a thread keeps.
const KEY_CACHE_ANALYZERS: usize = 4;

thread_local! {
    /// Memoized keys and stopword flags, one table per analyzer settings
    /// (analyzers built alike share a table).
    /// Snowball stemming costs more than splitting and normalizing a word,
    /// and word frequencies are skewed, so a small per-thread table pays off
    /// without locking and without changing any result.
    static KEY_CACHE: RefCell<Vec<(Arc<Settings>, KeyTable)>> = const { RefCell::new(Vec::new()) };
}

/// Longest piece (in bytes) whose words are memoized.
const PIECE_CACHE_MAX_LEN: usize = 64;

/// Most distinct pieces a thread's piece table holds before it is cleared.
const PIECE_CACHE_CAPACITY: usize = 1 << 14;

/// Non-ASCII piece → its words as (start, end, norm), relative to the piece.
type PieceTable = AHashMap<Box<str>, Box<[(usize, usize, Box<str>)]>>;

thread_local! {
    /// Memoized results of the general path, one table per
    /// (lowercase, strip_accents) setting, the only settings it depends on.
    static PIECE_CACHE: RefCell<[PieceTable; 4]> = RefCell::default();
}

/// Everything keys and stopword flags depend on.
#[derive(Debug, PartialEq, Eq)]
struct Settings {
    lowercase: bool,
    strip_accents: bool,
    stemmer: Option<Stemmer>,
    stopwords: Stopwords,
}

/// Computes keys and stopword flags for one call, holding the thread's key
/// table for the analyzer meanwhile.
struct Keys<'a> {
    inner: &'a Inner,
    table: Option<&'a mut KeyTable>,
}

impl Keys<'_> {
    /// Calls `f` with the key and stopword flag of `norm`.
    #[inline]
    fn with_key<R>(&mut self, norm: &str, f: impl FnOnce(&str, bool) -> R) -> R {
        let inner = self.inner;
        if let Some(table) = self.table.as_deref_mut()
            && let Some((key, is_stopword)) =
                table.get_or_insert(norm, |norm| (inner.stem(norm), inner.is_stopword(norm)))
        {
            return f(key, is_stopword);
        }
        f(&inner.stem(norm), inner.is_stopword(norm))
    }
}

/// Scratch space for one norm: ASCII words are lowercased (and typographic apostrophes and
/// dashes folded) into a stack buffer, or borrowed unchanged when already normal.
struct NormBuf {
    stack: [u8; 64],
    heap: String,
}

impl NormBuf {
    fn new() -> NormBuf {
        NormBuf { stack: [0; 64], heap: String::new() }
    }

    /// The norm of `surface`, a word made of ASCII characters and the typographic joiners
    /// `’` `‘` `‐` `‑` `–` with the [`scan::scan_ascii`] `flags`: joiners folded to `'` and
    /// `-`, then lowercased if `lowercase`; the result of [`WordNormalizer::normalize_str`]
    /// on such words.
    #[inline]
    fn fold<'s>(
        &'s mut self,
        surface: &'s str,
        flags: u8,
        lowercase: bool,
        normalizer: &WordNormalizer,
    ) -> &'s str {
        let needs_lowercase = lowercase && flags & scan::UPPER != 0;
        if !needs_lowercase && flags & scan::FOLDED == 0 {
            return surface;
        }
        let bytes = surface.as_bytes();
        // Folding only shortens a word, so a word that fits the stack fits folded.
        if bytes.len() <= self.stack.len() {
            let mut len = 0;
            if flags & scan::FOLDED == 0 {
                if let Some(out) = self.stack.get_mut(..bytes.len()) {
                    out.copy_from_slice(bytes);
                    if lowercase {
                        out.make_ascii_lowercase();
                    }
                    len = bytes.len();
                }
            } else {
                for c in surface.chars().map(fold_char) {
                    let Some(slot) = self.stack.get_mut(len) else { break };
                    match u8::try_from(c) {
                        Ok(b) if b.is_ascii() => {
                            *slot = if lowercase { b.to_ascii_lowercase() } else { b };
                            len += 1;
                        }
                        _ => {
                            // Not a folded-ASCII word after all: the general normalizer below.
                            len = usize::MAX;
                            break;
                        }
                    }
                }
            }
            if let Some(Ok(norm)) = self.stack.get(..len).map(std::str::from_utf8) {
                return norm;
            }
        }
        self.heap = normalizer.normalize_str(surface);
        &self.heap
    }
}
impl fmt::Debug for StemmerImpl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.stemmer.fmt(f)
    }
}

#[derive(Debug)]
struct Inner {
    /// The settings, which key the thread caches.
    settings: Arc<Settings>,
    lowercase: bool,
    strip_accents: bool,
    normalizer: WordNormalizer,
    stemmer: Option<StemmerImpl>,
    stopwords: AHashSet<String>,
    /// Length in bytes of the longest stopword (0 when there are none).
    max_stopword_len: usize,
}

impl Inner {
    fn stem(&self, norm: &str) -> String {
        match &self.stemmer {
            Some(stemmer) => stemmer.inner.stem(norm).into_owned(),
            None => norm.to_owned(),
        }
    }

    fn is_stopword(&self, norm: &str) -> bool {
        if self.lowercase {
            norm.len() <= self.max_stopword_len && self.stopwords.contains(norm)
        } else {
            self.stopwords.contains(&norm.to_lowercase())
        }
    }
}

/// Splits text into [`Word`]s with byte spans into the original text.
///
/// Cheap to clone (an `Arc` inside) and `Send + Sync`.
///
/// ```
/// use briefing_tokenize::Analyzer;
/// let analyzer = Analyzer::english();
/// let text = "The U.N. met 2013-2017; SCO’s members agreed.";
/// let words = analyzer.words(text);
/// let surface: Vec<&str> = words.iter().map(|w| &text[w.span.range()]).collect();
/// assert_eq!(surface, ["The", "U.N", "met", "2013-2017", "SCO’s", "members", "agreed"]);
/// let keys: Vec<&str> = words.iter().map(|w| w.key.as_str()).collect();
/// assert_eq!(keys, ["the", "u.n", "met", "2013-2017", "sco", "member", "agre"]);
/// assert!(words[0].is_stopword);
/// ```
#[derive(Clone, Debug)]
pub struct Analyzer {
    inner: Arc<Inner>,
}

impl Default for Analyzer {
    fn default() -> Analyzer {
        Analyzer::english()
    }
}

impl Analyzer {
    /// The default analyzer: NFKC, lowercase, strip accents, Snowball English
    /// stems, English stopword flags.
    #[must_use]
    pub fn english() -> Analyzer {
        AnalyzerBuilder::default().build_checked()
    }

    /// A builder starting from the [`Analyzer::english`] settings.
    pub fn builder() -> AnalyzerBuilder {
        AnalyzerBuilder::default()
    }

    /// All words of `text`, in order.
    #[must_use]
    pub fn words(&self, text: &str) -> Vec<Word> {
        let mut words = Vec::with_capacity(text.len() / 6);
        self.for_each_token(text, |token| words.push(token.to_word()));
        words
    }

    /// Calls `f` with each word of `text`, in order, without collecting them.
    ///
    /// Each [`Word`] owns its strings; [`Analyzer::for_each_token`] lends them instead and
    /// allocates nothing.
    ///
    /// ```
    /// use briefing_tokenize::Analyzer;
    /// let mut n_content = 0;
    /// Analyzer::english().for_each_word("The cat sat on the mat", |word| {
    ///     n_content += usize::from(!word.is_stopword);
    /// });
    /// assert_eq!(n_content, 3);
    /// ```
    pub fn for_each_word(&self, text: &str, mut f: impl FnMut(Word)) {
        self.for_each_token(text, |token| f(token.to_word()));
    }

    /// Calls `f` with each word of `text` as a borrowed [`Token`], in order: the same words,
    /// spans, norms, keys and stopword flags as [`Analyzer::words`], without building a
    /// `String` per word. The strings live in buffers reused from word to word (and in this
    /// thread's memo of keys), so they are only valid during the call of `f`; use
    /// [`Token::to_word`] to keep one.
    ///
    /// ```
    /// use briefing_tokenize::Analyzer;
    /// let text = "The SCO’s members met in 2013-2017.";
    /// let mut keys = String::new();
    /// Analyzer::english().for_each_token(text, |token| {
    ///     if !token.is_stopword {
    ///         keys.push_str(token.key);
    ///         keys.push(' ');
    ///     }
    /// });
    /// assert_eq!(keys, "sco member met 2013-2017 ");
    /// ```
    pub fn for_each_token(&self, text: &str, mut f: impl FnMut(Token<'_>)) {
        self.with_keys(|keys| {
            let inner = keys.inner;
            let make = |norm: &str| (inner.stem(norm), inner.is_stopword(norm));
            let mut emit = |start: usize, end: usize, norm: &str, key: &str, is_stopword: bool| {
                f(Token { span: Span::new(start, end), norm, key, is_stopword });
            };
            match keys.table.as_deref_mut() {
                Some(table) => {
                    // Words are queued so that the memo's cache misses overlap.
                    self.for_each_span_norm(text, &mut |start, end, norm: &str| {
                        if table.is_full() {
                            table.flush(text, make, &mut emit);
                        }
                        table.push(text, start, end, norm);
                    });
                    table.flush(text, make, &mut emit);
                }
                None => self.for_each_span_norm(text, &mut |start, end, norm: &str| {
                    emit(start, end, norm, &inner.stem(norm), inner.is_stopword(norm));
                }),
            }
        });
    }

    /// Calls `f(span, norm)` with each word of `text`, in order: the spans and norms of
    /// [`Analyzer::words`], without keys or stopword flags, and without allocating for ASCII
    /// text. The norm is only valid during the call of `f`.
    ///
    /// For callers that memoize keys themselves: [`Analyzer::key_of_norm`] and
    /// [`Analyzer::is_stopword`] of the norm give the word's [`Word::key`] and
    /// [`Word::is_stopword`].
    ///
    /// ```
    /// use briefing_tokenize::{Analyzer, Span};
    /// let analyzer = Analyzer::english();
    /// let text = "The SCO’s members";
    /// let mut found = Vec::new();
    /// analyzer.for_each_norm(text, |span, norm| {
    ///     found.push((span, norm.to_owned(), analyzer.key_of_norm(norm)));
    /// });
    /// assert_eq!(found[1], (Span::new(4, 11), "sco's".to_owned(), "sco".to_owned()));
    /// let keys: Vec<String> = analyzer.words(text).into_iter().map(|w| w.key).collect();
    /// assert_eq!(keys, found.iter().map(|f| f.2.clone()).collect::<Vec<_>>());
    /// ```
    pub fn for_each_norm(&self, text: &str, mut f: impl FnMut(Span, &str)) {
        self.for_each_span_norm(text, &mut |start, end, norm: &str| {
            f(Span::new(start, end), norm);
        });
    }

    /// The matching key ([`Word::key`]) of a word whose norm ([`Word::norm`]) is `norm`:
    /// its stem, or `norm` itself without a stemmer. Unlike [`Analyzer::key`], `norm` is
    /// not normalized again, and nothing is memoized.
    ///
    /// ```
    /// use briefing_tokenize::Analyzer;
    /// let analyzer = Analyzer::english();
    /// assert_eq!(analyzer.key_of_norm("members"), "member");
    /// assert_eq!(analyzer.key_of_norm("sco's"), analyzer.key("SCO’s"));
    /// ```
    #[must_use]
    pub fn key_of_norm(&self, norm: &str) -> String {
        self.inner.stem(norm)
    }

    /// The key ([`Word::key`]) and stopword flag ([`Word::is_stopword`]) of a word whose norm
    /// ([`Word::norm`]) is `norm`, as [`Analyzer::words`] gives them: unlike
    /// [`Analyzer::key_of_norm`], memoized in this thread's table of keys, so that a caller
    /// memoizing words itself still stems each distinct word once per thread.
    ///
    /// ```
    /// use briefing_tokenize::Analyzer;
    /// let analyzer = Analyzer::english();
    /// assert_eq!(analyzer.key_and_stopword_of_norm("members"), ("member".to_owned(), false));
    /// assert_eq!(analyzer.key_and_stopword_of_norm("the"), ("the".to_owned(), true));
    /// ```
    #[must_use]
    pub fn key_and_stopword_of_norm(&self, norm: &str) -> (String, bool) {
        self.with_keys(|keys| keys.with_key(norm, |key, is_stopword| (key.to_owned(), is_stopword)))
    }

    /// Runs `body` with a key maker that uses this thread's key table for
    /// this analyzer when it is free (it is not when `body` itself re-enters
    /// an analyzer).
    fn with_keys<R>(&self, body: impl FnOnce(&mut Keys<'_>) -> R) -> R {
        let inner = &*self.inner;
        KEY_CACHE.with(|cache| {
            let Ok(mut tables) = cache.try_borrow_mut() else {
                return body(&mut Keys { inner, table: None });
            };
            let found = tables.iter().position(|(settings, _)| {
                Arc::ptr_eq(settings, &inner.settings) || **settings == *inner.settings
            });
            let idx = match found {
                Some(idx) => idx,
                None => {
                    if tables.len() >= KEY_CACHE_ANALYZERS {
                        tables.remove(0);
                    }
                    tables.push((Arc::clone(&inner.settings), KeyTable::default()));
                    tables.len() - 1
                }
            };
            let table = tables.get_mut(idx).map(|(_, table)| table);
            body(&mut Keys { inner, table })
        })
    }

    /// Spans and norms of the words of `text`.
    ///
    /// Words never contain whitespace, nor a few punctuation marks (`—`,
    /// `“`, `”`, `„`, `«`, `»`, `…`, `•`), and only look at their own
    /// characters, so the text can be cut at those *separators* into pieces
    /// analyzed independently. ASCII stretches between whitespace go to the
    /// fast path in one call; each whitespace-delimited piece holding a
    /// non-ASCII byte is cut further at non-ASCII separators, and its
    /// sub-pieces go to the fast path when they are ASCII apart from the
    /// typographic joiners `’` `‘` `‐` `‑` `–`, to the `tokenizers` path
    /// otherwise.
    fn for_each_span_norm<F: FnMut(usize, usize, &str)>(&self, text: &str, f: &mut F) {
        let bytes = text.as_bytes();
        let mut pos = 0;
        while pos < bytes.len() {
            let rest = bytes.get(pos..).unwrap_or_default();
            // Most text is ASCII: the word-at-a-time `is_ascii` answers before a byte scan.
            if rest.is_ascii() {
                self.ascii_path(text, pos, bytes.len(), f);
                return;
            }
            let Some(offset) = rest.iter().position(|b| !b.is_ascii()) else {
                self.ascii_path(text, pos, bytes.len(), f);
                return;
            };
            let non_ascii = pos + offset;
            let before = bytes.get(pos..non_ascii).unwrap_or_default();
            let piece_start =
                before.iter().rposition(u8::is_ascii_whitespace).map_or(pos, |idx| pos + idx + 1);
            self.ascii_path(text, pos, piece_start, f);
            let after = bytes.get(non_ascii..).unwrap_or_default();
            let piece_end = after
                .iter()
                .position(u8::is_ascii_whitespace)
                .map_or(bytes.len(), |idx| non_ascii + idx);
            self.mixed_piece(text, piece_start, piece_end, f);
            pos = piece_end;
        }
    }

    /// A whitespace-delimited piece with non-ASCII characters: cut at
    /// non-ASCII separators and at any other non-ASCII character that cannot
    /// be part of a word (`│`, `©`, `→`: neither a letter, digit or mark nor
    /// a joiner), then each sub-piece to the right path.
    fn mixed_piece<F: FnMut(usize, usize, &str)>(
        &self,
        text: &str,
        start: usize,
        end: usize,
        f: &mut F,
    ) {
        let Some(piece) = text.get(start..end) else { return };
        let mut sub_start = start;
        let mut fast = true;
        for (idx, c) in piece.char_indices() {
            if c.is_ascii() {
                continue;
            }
            if scan::is_separator(c) || scan::breaks_words(c) {
                self.piece(text, sub_start, start + idx, fast, f);
                sub_start = start + idx + c.len_utf8();
                fast = true;
            } else {
                fast &= scan::is_typographic_joiner(c);
            }
        }
        self.piece(text, sub_start, end, fast, f);
    }

    fn piece<F: FnMut(usize, usize, &str)>(
        &self,
        text: &str,
        start: usize,
        end: usize,
        fast: bool,
        f: &mut F,
    ) {
        if fast {
            self.ascii_path(text, start, end, f);
        } else if let Some(piece) = text.get(start..end).filter(|piece| !piece.is_empty()) {
            self.general_piece(piece, start, f);
        }
    }

    /// The general path for one piece, memoized per thread: pieces repeat
    /// (`Совет`, `council’s`) and the `tokenizers` path costs about a
    /// microsecond per piece.
    fn general_piece(&self, piece: &str, offset: usize, f: &mut dyn FnMut(usize, usize, &str)) {
        if piece.len() > PIECE_CACHE_MAX_LEN {
            return self.general_path(piece, offset, true, f);
        }
        let slot = usize::from(self.inner.lowercase) * 2 + usize::from(self.inner.strip_accents);
        PIECE_CACHE.with(|cache| {
            let Ok(mut cache) = cache.try_borrow_mut() else {
                return self.general_path(piece, offset, true, f);
            };
            let Some(table) = cache.get_mut(slot) else {
                return self.general_path(piece, offset, true, f);
            };
            if let Some(words) = table.get(piece) {
                for (start, end, norm) in words {
                    f(offset + start, offset + end, norm);
                }
                return;
            }
            let mut words = Vec::new();
            self.general_path(piece, 0, true, &mut |start, end, norm| {
                words.push((start, end, Box::<str>::from(norm)));
            });
            for (start, end, norm) in &words {
                f(offset + start, offset + end, norm);
            }
            if table.len() >= PIECE_CACHE_CAPACITY {
                table.clear();
            }
            table.insert(piece.into(), words.into_boxed_slice());
        })
    }

    /// The fast path for `text[start..end]`, ASCII apart from the typographic joiners `’` `‘`
    /// `‐` `‑` `–`: split on bytes, joiners folded to `'` and `-`, lowercased directly; every
    /// other step of the general path is the identity on such words.
    #[inline]
    fn ascii_path<F: FnMut(usize, usize, &str)>(
        &self,
        text: &str,
        start: usize,
        end: usize,
        f: &mut F,
    ) {
        let Some(piece) = text.get(start..end) else { return };
        let (lowercase, normalizer) = (self.inner.lowercase, &self.inner.normalizer);
        let mut buf = NormBuf::new();
        scan::scan_ascii(piece.as_bytes(), |word_start, word_end, flags| {
            if let Some(surface) = piece.get(word_start..word_end) {
                let norm = buf.fold(surface, flags, lowercase, normalizer);
                f(start + word_start, start + word_end, norm);
            }
        });
    }

    /// The general path: a `tokenizers` `PreTokenizedString` split by
    /// [`WordPreTokenizer`], whose splits keep their offsets into the
    /// original text, then each split normalized (through `NormalizedString`):
    /// the reference the fast paths are tested against. With `shortcuts`
    /// (words with non-ASCII characters), the same words from the scanner and
    /// the same norms from [`WordNormalizer::normalize_str`].
    fn general_path(
        &self,
        text: &str,
        offset: usize,
        shortcuts: bool,
        f: &mut dyn FnMut(usize, usize, &str),
    ) {
        // Without shortcuts, the pre-tokenizer splits the words (it never fails). With
        // shortcuts, the scanner it is built on does: its words are exactly the
        // pre-tokenizer's splits (offsets into the unnormalized text), without allocations.
        if !shortcuts {
            let mut pretokenized = PreTokenizedString::from(text);
            if WordPreTokenizer.pre_tokenize(&mut pretokenized).is_ok() {
                for (surface, (start, end), _) in
                    pretokenized.get_splits(OffsetReferential::Original, OffsetType::Byte)
                {
                    self.emit_normalized(offset + start, offset + end, surface, shortcuts, f);
                }
                return;
            }
        }
        scan::scan_unicode(text, |start, end| {
            if let Some(surface) = text.get(start..end) {
                self.emit_normalized(offset + start, offset + end, surface, shortcuts, f);
            }
        });
    }

    fn emit_normalized(
        &self,
        start: usize,
        end: usize,
        surface: &str,
        shortcuts: bool,
        f: &mut dyn FnMut(usize, usize, &str),
    ) {
        let normalizer = &self.inner.normalizer;
        let norm = if shortcuts {
            normalizer.normalize_str(surface)
        } else {
            normalizer.normalize_general(surface)
        };
        // A word can normalize to nothing only if it is made of marks alone.
        if !norm.is_empty() && start < end {
            f(start, end, &norm);
        }
    }

    /// The words of `text` through the general path alone, without pieces
    /// or shortcuts: the reference the fast paths are tested against.
    #[cfg(test)]
    pub(crate) fn words_general(&self, text: &str) -> Vec<Word> {
        let mut words = Vec::new();
        self.with_keys(|keys| {
            self.general_path(text, 0, false, &mut |start, end, norm| {
                keys.with_key(norm, |key, is_stopword| {
                    let span = Span::new(start, end);
                    words.push(Token { span, norm, key, is_stopword }.to_word());
                });
            });
        });
        words
    }

    /// The words of a `text` through the fast path alone (ASCII apart from typographic
    /// joiners).
    #[cfg(test)]
    pub(crate) fn words_ascii(&self, text: &str) -> Vec<Word> {
        let mut words = Vec::new();
        self.with_keys(|keys| {
            self.ascii_path(text, 0, text.len(), &mut |start, end, norm: &str| {
                keys.with_key(norm, |key, is_stopword| {
                    let span = Span::new(start, end);
                    words.push(Token { span, norm, key, is_stopword }.to_word());
                });
            });
        });
        words
    }

    /// The matching key of a single word: normalized like [`Word::norm`], then
    /// stemmed. Surrounding whitespace is ignored; the input is not split.
    ///
    /// ```
    /// use briefing_tokenize::Analyzer;
    /// let analyzer = Analyzer::english();
    /// assert_eq!(analyzer.key("Négociations"), "negoci");
    /// assert_eq!(analyzer.key("SCO’s"), analyzer.key("SCO"));
    /// ```
    #[must_use]
    pub fn key(&self, word: &str) -> String {
        let norm = self.inner.normalizer.normalize_str(word.trim());
        self.with_keys(|keys| keys.with_key(&norm, |key, _| key.to_owned()))
    }

    /// The normalized form ([`Word::norm`]) of a single word.
    #[must_use]
    pub fn normalize(&self, word: &str) -> String {
        self.inner.normalizer.normalize_str(word.trim())
    }

    /// Whether `norm` (an already normalized word, see [`Word::norm`]) is a
    /// stopword. When the analyzer does not lowercase, stopwords match
    /// case-insensitively.
    ///
    /// ```
    /// use briefing_tokenize::Analyzer;
    /// let analyzer = Analyzer::english();
    /// assert!(analyzer.is_stopword("the"));
    /// assert!(analyzer.is_stopword("don't"));
    /// assert!(!analyzer.is_stopword("council"));
    /// ```
    #[must_use]
    pub fn is_stopword(&self, norm: &str) -> bool {
        self.inner.is_stopword(norm)
    }

    /// Whether this analyzer lowercases.
    #[must_use]
    pub fn lowercases(&self) -> bool {
        self.inner.lowercase
    }

    /// Whether this analyzer strips accents.
    #[must_use]
    pub fn strips_accents(&self) -> bool {
        self.inner.strip_accents
    }

    /// The stemmer, if any.
    #[must_use]
    pub fn stemmer(&self) -> Option<Stemmer> {
        self.inner.stemmer.as_ref().map(|s| s.stemmer)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use proptest::prelude::*;
    use tokenizers::SplitDelimiterBehavior;
    use tokenizers::pre_tokenizers::split::{Split, SplitPattern};

    /// Asserts everything about one word: its span (`start` and the length of
    /// `surface`), the surface form sliced from `text`, its norm and its key.
    #[track_caller]
    fn assert_token(text: &str, word: &Word, start: usize, surface: &str, norm: &str, key: &str) {
        assert_eq!(word.span, Span::new(start, start + surface.len()), "span of {surface:?}");
        assert_eq!(word.span.slice(text), Some(surface), "surface at {start}");
        assert_eq!(word.norm, norm, "norm of {surface:?}");
        assert_eq!(word.key, key, "key of {surface:?}");
    }

    /// Analyzes `text` with `analyzer` and checks each word against
    /// `(start, surface, norm, key)`, through [`assert_token`].
    #[track_caller]
    fn check_with(analyzer: &Analyzer, text: &str, expected: &[(usize, &str, &str, &str)]) {
        let words = analyzer.words(text);
        let found: Vec<&str> = words.iter().filter_map(|w| w.span.slice(text)).collect();
        let wanted: Vec<&str> = expected.iter().map(|e| e.1).collect();
        assert_eq!(found, wanted, "words of {text:?}");
        for (word, &(start, surface, norm, key)) in words.iter().zip(expected) {
            assert_token(text, word, start, surface, norm, key);
        }
        assert_eq!(words, analyzer.words_general(text), "general path differs on {text:?}");
    }

    #[track_caller]
    fn check(text: &str, expected: &[(usize, &str, &str, &str)]) {
        check_with(&Analyzer::english(), text, expected);
    }

    #[test]
    fn plain_ascii() {
        check(
            "The councils' plans, 2 of them!",
            &[
                (0, "The", "the", "the"),
                (4, "councils", "councils", "council"),
                (14, "plans", "plans", "plan"),
                (21, "2", "2", "2"),
                (23, "of", "of", "of"),
                (26, "them", "them", "them"),
            ],
        );
    }

    #[test]
    fn apostrophes_stay_inside_words() {
        check(
            "SCO’s don't rock'n'roll 'quoted' students' ʼtwas",
            &[
                (0, "SCO’s", "sco's", "sco"),
                (8, "don't", "don't", "don't"),
                (14, "rock'n'roll", "rock'n'roll", "rock'n'rol"),
                (27, "quoted", "quoted", "quot"),
                (35, "students", "students", "student"),
                (45, "ʼtwas", "'twas", "twas"),
            ],
        );
    }

    #[test]
    fn numbers_stay_whole() {
        check(
            "1,000 2013-2017 22.04.2019 3.5% 10:30 24/7 2013–2017 1,000. -5",
            &[
                (0, "1,000", "1,000", "1,000"),
                (6, "2013-2017", "2013-2017", "2013-2017"),
                (16, "22.04.2019", "22.04.2019", "22.04.2019"),
                (27, "3.5", "3.5", "3.5"),
                (32, "10:30", "10:30", "10:30"),
                (38, "24/7", "24/7", "24/7"),
                (43, "2013–2017", "2013-2017", "2013-2017"),
                (55, "1,000", "1,000", "1,000"),
                (63, "5", "5", "5"),
            ],
        );
    }

    #[test]
    fn hyphens_between_letters_split() {
        check(
            "law-enforcement COVID-19 G20",
            &[
                (0, "law", "law", "law"),
                (4, "enforcement", "enforcement", "enforc"),
                (16, "COVID", "covid", "covid"),
                (22, "19", "19", "19"),
                (25, "G20", "g20", "g20"),
            ],
        );
    }

    #[test]
    fn dotted_abbreviations() {
        check(
            "U.N. e.g. example.com",
            &[
                (0, "U.N", "u.n", "u.n"),
                (5, "e.g", "e.g", "e.g"),
                (10, "example.com", "example.com", "example.com"),
            ],
        );
    }

    #[test]
    fn accents_and_compatibility_forms() {
        check(
            "Crème cafe\u{301} ﬁnance ＳＣＯ Ⅻ",
            &[
                (0, "Crème", "creme", "creme"),
                (7, "cafe\u{301}", "cafe", "cafe"),
                (14, "ﬁnance", "finance", "financ"),
                (23, "ＳＣＯ", "sco", "sco"),
                (33, "Ⅻ", "xii", "xii"),
            ],
        );
        let keep = Analyzer::builder().strip_accents(false).lowercase(false).build().unwrap();
        check_with(
            &keep,
            "Crème cafe\u{301}",
            &[(0, "Crème", "Crème", "Crème"), (7, "cafe\u{301}", "café", "café")],
        );
    }

    #[test]
    fn cyrillic() {
        // Accent stripping decomposes й into и + breve and drops the breve.
        check(
            "Шанхайская организация, 2001 г.",
            &[
                (0, "Шанхайская", "шанхаиская", "шанхаиская"),
                (21, "организация", "организация", "организация"),
                (45, "2001", "2001", "2001"),
                (50, "г", "г", "г"),
            ],
        );
        let russian = Analyzer::builder()
            .stemmer(Some(Stemmer::Russian))
            .strip_accents(false)
            .stopwords(Stopwords::None)
            .build()
            .unwrap();
        check_with(
            &russian,
            "Организации сотрудничества",
            &[
                (0, "Организации", "организации", "организац"),
                (23, "сотрудничества", "сотрудничества", "сотрудничеств"),
            ],
        );
    }

    #[test]
    fn cjk_runs_are_single_words() {
        // No dictionary segmentation: a run of ideographs is one word.
        check(
            "上海合作组织（SCO）成立于2001年。",
            &[
                (0, "上海合作组织", "上海合作组织", "上海合作组织"),
                (21, "SCO", "sco", "sco"),
                (27, "成立于2001年", "成立于2001年", "成立于2001年"),
            ],
        );
        check(
            "한국어 텍스트",
            &[(0, "한국어", "한국어", "한국어"), (10, "텍스트", "텍스트", "텍스트")],
        );
    }

    #[test]
    fn separators_and_nbsp() {
        check(
            "press\u{a0}club—“quoted”…done",
            &[
                (0, "press", "press", "press"),
                (7, "club", "club", "club"),
                (17, "quoted", "quoted", "quot"),
                (29, "done", "done", "done"),
            ],
        );
    }

    #[test]
    fn stopword_flags() {
        let words = Analyzer::english().words("The SCO’s role isn't small");
        let flags: Vec<bool> = words.iter().map(|w| w.is_stopword).collect();
        assert_eq!(flags, [true, false, false, true, false]);
        let none = Analyzer::builder().stopwords(Stopwords::None).build().unwrap();
        assert!(none.words("the").iter().all(|w| !w.is_stopword));
        let custom = Analyzer::builder()
            .stopwords(Stopwords::Custom(vec!["Rôle".into(), "SCO’s".into()]))
            .build()
            .unwrap();
        let flags: Vec<bool> =
            custom.words("The SCO's role").iter().map(|w| w.is_stopword).collect();
        assert_eq!(flags, [false, true, true]);
        let cased = Analyzer::builder().lowercase(false).build().unwrap();
        assert!(cased.words("The").first().unwrap().is_stopword);
    }

    #[test]
    fn bad_custom_stopwords_are_rejected() {
        for bad in ["", "of the", "--", "x-y"] {
            let built = Analyzer::builder().stopwords(Stopwords::Custom(vec![bad.into()])).build();
            assert!(matches!(built, Err(Error::Config(_))), "{bad:?} accepted");
        }
    }

    #[test]
    fn settings() {
        let plain = Analyzer::builder().stemmer(None).build().unwrap();
        check_with(
            &plain,
            "Running dogs",
            &[(0, "Running", "running", "running"), (8, "dogs", "dogs", "dogs")],
        );
        assert_eq!(plain.stemmer(), None);
        let english = Analyzer::english();
        assert_eq!(english.stemmer(), Some(Stemmer::English));
        assert!(english.lowercases() && english.strips_accents());
    }

    #[test]
    fn key_of_single_words() {
        let analyzer = Analyzer::english();
        assert_eq!(analyzer.key("Running"), "run");
        assert_eq!(analyzer.key("  SCO’s "), analyzer.key("sco"));
        assert_eq!(analyzer.key("Négociations"), "negoci");
        assert_eq!(analyzer.key(""), "");
        assert_eq!(analyzer.normalize("Ｃafé"), "cafe");
    }

    #[test]
    fn thread_caches_do_not_leak_between_settings() {
        let text = "The running councils’ Crème";
        let english = Analyzer::english();
        let flags = |analyzer: &Analyzer| -> Vec<(String, String, bool)> {
            analyzer.words(text).into_iter().map(|w| (w.norm, w.key, w.is_stopword)).collect()
        };
        let first = flags(&english);
        for _ in 0..2 {
            let variants = [
                Analyzer::builder().stopwords(Stopwords::None).build().unwrap(),
                Analyzer::builder().stemmer(None).build().unwrap(),
                Analyzer::builder().stemmer(Some(Stemmer::German)).build().unwrap(),
                Analyzer::builder().lowercase(false).strip_accents(false).build().unwrap(),
                Analyzer::builder()
                    .stopwords(Stopwords::Custom(vec!["running".into()]))
                    .build()
                    .unwrap(),
            ];
            let expected: [&[(&str, &str, bool)]; 5] = [
                &[
                    ("the", "the", false),
                    ("running", "run", false),
                    ("councils", "council", false),
                    ("creme", "creme", false),
                ],
                &[
                    ("the", "the", true),
                    ("running", "running", false),
                    ("councils", "councils", false),
                    ("creme", "creme", false),
                ],
                &[
                    ("the", "the", true),
                    ("running", "running", false),
                    ("councils", "council", false),
                    ("creme", "crem", false),
                ],
                &[
                    ("The", "The", true),
                    ("running", "run", false),
                    ("councils", "council", false),
                    ("Crème", "Crème", false),
                ],
                &[
                    ("the", "the", false),
                    ("running", "run", true),
                    ("councils", "council", false),
                    ("creme", "creme", false),
                ],
            ];
            for (analyzer, expected) in variants.iter().zip(expected) {
                let found = flags(analyzer);
                let found: Vec<(&str, &str, bool)> =
                    found.iter().map(|(n, k, s)| (n.as_str(), k.as_str(), *s)).collect();
                assert_eq!(found, expected, "{analyzer:?}");
            }
            assert_eq!(flags(&english), first);
            assert_eq!(flags(&Analyzer::english()), first);
        }
    }

    #[test]
    fn reentrant_calls_agree() {
        let analyzer = Analyzer::english();
        let mut inner_keys = Vec::new();
        analyzer.for_each_word("connections connected", |outer| {
            let inner = analyzer.words(&outer.norm);
            inner_keys.push((outer.key, inner.into_iter().map(|w| w.key).collect::<Vec<_>>()));
        });
        for (outer, inner) in inner_keys {
            assert_eq!(inner, [outer]);
        }
    }

    #[test]
    fn reentrant_token_calls_agree() {
        let analyzer = Analyzer::english();
        let mut pairs = Vec::new();
        analyzer.for_each_token("Connections CONNECTED council’s", |outer| {
            let mut inner = Vec::new();
            analyzer.for_each_token(outer.norm, |token| inner.push(token.to_word()));
            pairs.push((outer.to_word(), inner));
        });
        assert_eq!(pairs.len(), 3);
        for (outer, inner) in pairs {
            assert_eq!(inner.len(), 1);
            assert_eq!((&inner[0].norm, &inner[0].key), (&outer.norm, &outer.key));
        }
    }

    #[test]
    fn long_and_uppercase_words_take_the_slow_buffers() {
        let long = format!("{}’S", "Ab".repeat(40));
        let text = format!("{long} x{}", "y".repeat(100));
        let words = Analyzer::english().words(&text);
        assert_eq!(words.len(), 2);
        assert_eq!(words[0].norm, format!("{}'s", "ab".repeat(40)));
        assert_eq!(words[0].span, Span::new(0, long.len()));
        assert_eq!(words[1].norm.len(), 101);
        assert_eq!(words, Analyzer::english().words_general(&text));
    }

    #[test]
    fn analyzer_is_shareable() {
        fn assert_send_sync<T: Send + Sync + Clone + fmt::Debug>() {}
        assert_send_sync::<Analyzer>();
        let analyzer = Analyzer::english();
        let texts = ["First text here", "Second one, with SCO’s words"];
        let serial: Vec<Vec<Word>> = texts.iter().map(|t| analyzer.words(t)).collect();
        let parallel: Vec<Vec<Word>> = std::thread::scope(|scope| {
            let handles: Vec<_> = texts
                .iter()
                .map(|t| {
                    let analyzer = analyzer.clone();
                    scope.spawn(move || analyzer.words(t))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(serial, parallel);
    }

    /// The word rules written as a regex for `tokenizers`' `Split`, an
    /// independent statement of what [`scan::scan_unicode`] implements.
    const WORD_REGEX: &str = concat!(
        r"[\p{Alphabetic}\p{N}][\p{Alphabetic}\p{N}\p{M}]*",
        r"(?:(?:(?<=[\p{Alphabetic}\p{M}])['’‘ʼ.](?=\p{Alphabetic})",
        r"|(?<=\p{N})[.,\-‐‑–/:](?=\p{N}))",
        r"[\p{Alphabetic}\p{N}][\p{Alphabetic}\p{N}\p{M}]*)*",
    );

    fn regex_spans(text: &str) -> Vec<(usize, usize)> {
        let split = Split::new(
            SplitPattern::Regex(WORD_REGEX.to_owned()),
            SplitDelimiterBehavior::Removed,
            true,
        )
        .unwrap();
        let mut pretokenized = PreTokenizedString::from(text);
        split.pre_tokenize(&mut pretokenized).unwrap();
        pretokenized
            .get_splits(OffsetReferential::Original, OffsetType::Byte)
            .into_iter()
            .map(|(_, offsets, _)| offsets)
            .collect()
    }

    fn scanner_spans(text: &str) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        scan::scan_unicode(text, |start, end| spans.push((start, end)));
        spans
    }

    #[test]
    fn scanner_matches_regex_on_examples() {
        for text in [
            "SCO’s 1,000 2013-2017 law-enforcement U.N. e.g. cafe\u{301}'s x.1 1.x 'a' a''b",
            "Шанхайская 上海 ١٢٣,٤ Ⅻ.Ⅴ",
        ] {
            assert_eq!(scanner_spans(text), regex_spans(text), "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn fast_path_equals_general_path_on_ascii(text in "[ -~\t\n\r]{0,120}") {
            let analyzer = Analyzer::english();
            let general = analyzer.words_general(&text);
            prop_assert_eq!(&analyzer.words_ascii(&text), &general);
            prop_assert_eq!(&analyzer.words(&text), &general);
        }

        #[test]
        fn ascii_words_with_joiners(text in "[a-c0-2 .,'/:\\-]{0,60}") {
            let analyzer = Analyzer::english();
            prop_assert_eq!(analyzer.words_ascii(&text), analyzer.words_general(&text));
            prop_assert_eq!(scanner_spans(&text), regex_spans(&text));
        }

        #[test]
        fn words_equal_general_path(text in any::<String>()) {
            for analyzer in [Analyzer::english(), Analyzer::builder().lowercase(false).strip_accents(false).build().unwrap()] {
                prop_assert_eq!(analyzer.words(&text), analyzer.words_general(&text));
            }
        }

        #[test]
        fn pieces_and_shortcuts_on_mixed_text(
            text in "[a-zA-Z0-9 .,'\\-éÉüßЖжйё\u{0301}\u{0308}中文的㐀\u{9fff}\u{f900}ﬁＡ’‘ʼ“”—…\u{a0}\u{2010}\u{2011}\u{2013}│©→×Ⅻ²，。]{0,60}",
        ) {
            let analyzer = Analyzer::english();
            prop_assert_eq!(analyzer.words(&text), analyzer.words_general(&text));
        }

        #[test]
        fn fast_path_handles_typographic_joiners(
            text in "[a-cA-C0-2 .,'/:\\-’‘\u{2010}\u{2011}\u{2013}]{0,60}",
        ) {
            for analyzer in [Analyzer::english(), Analyzer::builder().lowercase(false).build().unwrap()] {
                let general = analyzer.words_general(&text);
                prop_assert_eq!(&analyzer.words_ascii(&text), &general);
                prop_assert_eq!(&analyzer.words(&text), &general);
            }
        }

        #[test]
        fn tokens_are_the_words(text in "[a-zA-Z0-9 .,'\\-éÉЖж中ʼ’“\u{a0}\u{2013}]{0,80}") {
            for analyzer in [Analyzer::english(), Analyzer::builder().stemmer(None).lowercase(false).build().unwrap()] {
                let mut tokens = Vec::new();
                analyzer.for_each_token(&text, |token| tokens.push(token.to_word()));
                prop_assert_eq!(tokens, analyzer.words(&text));
            }
        }

        #[test]
        fn norms_and_keys_of_norms_are_the_words(text in "[a-zA-Z0-9 .,'\\-éÉЖж中ʼ’“\u{a0}\u{2013}\u{301}ﬁ]{0,80}") {
            for analyzer in [Analyzer::english(), Analyzer::builder().stemmer(None).lowercase(false).build().unwrap()] {
                let mut words = Vec::new();
                analyzer.for_each_norm(&text, |span, norm| {
                    words.push(Word {
                        span,
                        norm: norm.to_owned(),
                        key: analyzer.key_of_norm(norm),
                        is_stopword: analyzer.is_stopword(norm),
                    });
                });
                prop_assert_eq!(words, analyzer.words(&text));
            }
        }

        #[test]
        fn scanner_equals_regex(
            text in "[a-zA-Z0-9 .,:/'’‘ʼ\\-‐‑–_éЖжй\u{0301}\u{0308}中。\u{a0}—“”…١٢Ⅻ]{0,60}",
        ) {
            prop_assert_eq!(scanner_spans(&text), regex_spans(&text));
        }
    }
}
