//! Hot reload: watch the config and every file it uses (function code, Lambda@Edge handler
//! directories, KeyValueStore files); on a change, wait for the edits to settle, build the
//! whole distribution again and swap it in atomically. Requests already running finish on the
//! distribution they started with (they hold it); a build that fails leaves the running one in
//! place and the error is reported.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use notify::{RecursiveMode, Watcher as _};
use tokio::sync::mpsc;

use crate::config::Config;
use crate::dashboard::Recent;
use crate::distribution::Distribution;
use crate::error::ProxyError;

/// Edits closer together than this are one reload (editors write, rename and touch in bursts).
const SETTLE: Duration = Duration::from_millis(150);

/// The distribution being served, swappable while requests run, and what outlives a reload
/// (the recent-requests buffer of the dashboard).
#[derive(Debug)]
pub struct Live {
    current: ArcSwap<Distribution>,
    pub recent: Arc<Recent>,
}

impl Live {
    pub fn new(distribution: Arc<Distribution>, recent: Arc<Recent>) -> Arc<Live> {
        Arc::new(Live {
            current: ArcSwap::new(distribution),
            recent,
        })
    }

    /// The distribution a new request runs on (to the end, even if a reload swaps meanwhile).
    pub fn current(&self) -> Arc<Distribution> {
        self.current.load_full()
    }

    /// Makes `next` the distribution for new requests.
    pub fn swap(&self, next: Arc<Distribution>) {
        self.current.store(next);
    }
}

/// What a reload did, for the terminal and the dashboard.
#[derive(Debug)]
pub enum ReloadEvent {
    /// The new distribution serves from now on.
    Reloaded {
        /// The files whose change triggered it.
        changed: Vec<PathBuf>,
        took: Duration,
        /// Whether the cache was kept (no behavior's cache settings changed).
        cache_kept: bool,
    },
    /// The edit does not build; the previous distribution keeps serving.
    Failed {
        changed: Vec<PathBuf>,
        error: ProxyError,
    },
}

/// The files and directories a config depends on.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WatchSet {
    /// Watched as files (the config, function code, KVS files).
    pub files: BTreeSet<PathBuf>,
    /// Watched with everything below them (Lambda@Edge handler directories: a handler may
    /// import its neighbours).
    pub dirs: BTreeSet<PathBuf>,
}

impl WatchSet {
    pub fn of(config: &Config) -> WatchSet {
        let mut set = WatchSet::default();
        set.files.insert(absolute(&config.source.path));
        for store in &config.key_value_stores {
            set.files.insert(absolute(&config.resolve(&store.file)));
        }
        let behaviors = std::iter::once(&config.default_behavior).chain(config.behaviors.iter());
        for b in behaviors {
            for f in [
                &b.viewer_request,
                &b.origin_request,
                &b.origin_response,
                &b.viewer_response,
            ]
            .into_iter()
            .flatten()
            {
                if let Some(code) = &f.code {
                    set.files.insert(absolute(&config.resolve(code.get_ref())));
                }
                if let Some(handler) = &f.handler {
                    // `dir/file.export`: the file's directory.
                    let file = handler.get_ref().rsplit_once('.').map_or("", |(f, _)| f);
                    let path = absolute(&config.resolve(Path::new(file)));
                    if let Some(dir) = path.parent() {
                        set.dirs.insert(dir.to_owned());
                    }
                }
            }
        }
        set
    }

    /// Whether a changed path matters.
    pub fn concerns(&self, path: &Path) -> bool {
        self.files.contains(path) || self.dirs.iter().any(|d| path.starts_with(d))
    }
}

fn absolute(path: &Path) -> PathBuf {
    let path = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_owned())
    };
    // Canonical when possible, so events (which carry real paths) compare equal.
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => dir
            .canonicalize()
            .map(|d| d.join(name))
            .unwrap_or(path.clone()),
        _ => path,
    }
}

/// Builds a distribution from a freshly loaded config, given the one serving now (to reuse
/// what did not change) and the files that changed.
pub type Rebuild = Box<
    dyn Fn(
            Arc<Distribution>,
            Vec<PathBuf>,
        ) -> std::pin::Pin<
            Box<
                dyn std::future::Future<Output = Result<(Arc<Distribution>, Config), ProxyError>>
                    + Send,
            >,
        > + Send
        + Sync,
>;

/// A running watcher; dropping it stops watching.
pub struct Reloader {
    _watcher: Arc<std::sync::Mutex<notify::RecommendedWatcher>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Reloader {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Reloader {
    /// Watches what `config` uses; on a settled change calls `rebuild`, swaps the result into
    /// `live` and reports through `report`. The watch set follows the config as it changes.
    pub fn start(
        config: &Config,
        live: Arc<Live>,
        rebuild: Rebuild,
        report: impl Fn(&ReloadEvent) + Send + Sync + 'static,
    ) -> Result<Reloader, ProxyError> {
        let (tx, mut rx) = mpsc::unbounded_channel::<PathBuf>();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if let Ok(event) = event {
                    if matches!(event.kind, notify::EventKind::Access(_)) {
                        return;
                    }
                    for path in event.paths {
                        let _ = tx.send(path);
                    }
                }
            })
            .map_err(|e| watch_error(&config.source.path, &e))?;
        let mut set = WatchSet::of(config);
        let mut watched = BTreeSet::new();
        watch_all(&mut watcher, &set, &mut watched);
        let watcher = Arc::new(std::sync::Mutex::new(watcher));
        let task_watcher = watcher.clone();
        let task = tokio::spawn(async move {
            loop {
                let Some(first) = rx.recv().await else { return };
                let mut changed = BTreeSet::new();
                if set.concerns(&first) {
                    changed.insert(first);
                }
                // Settle: keep collecting until no event for SETTLE.
                while let Ok(Some(path)) = tokio::time::timeout(SETTLE, rx.recv()).await {
                    if set.concerns(&path) {
                        changed.insert(path);
                    }
                }
                if changed.is_empty() {
                    continue;
                }
                let changed: Vec<PathBuf> = changed.into_iter().collect();
                let started = Instant::now();
                let old = live.current();
                match rebuild(old.clone(), changed.clone()).await {
                    Ok((next, config)) => {
                        let cache_kept = Arc::ptr_eq(&old.cache_handle(), &next.cache_handle());
                        live.swap(next);
                        let event = ReloadEvent::Reloaded {
                            changed,
                            took: started.elapsed(),
                            cache_kept,
                        };
                        live.recent
                            .notify("reload", &serde_json::json!({ "ok": true }));
                        report(&event);
                        // The config may now name other files: watch those too.
                        let next_set = WatchSet::of(&config);
                        if next_set != set {
                            if let Ok(mut w) = task_watcher.lock() {
                                watch_all(&mut w, &next_set, &mut watched);
                            }
                            set = next_set;
                        }
                    }
                    Err(error) => {
                        live.recent.notify(
                            "reload",
                            &serde_json::json!({ "ok": false, "error": error.to_string() }),
                        );
                        report(&ReloadEvent::Failed { changed, error });
                    }
                }
            }
        });
        Ok(Reloader {
            _watcher: watcher,
            task,
        })
    }
}

fn watch_error(path: &Path, e: &notify::Error) -> ProxyError {
    ProxyError::Config {
        path: path.to_owned(),
        message: format!("cannot watch the files for changes: {e} (use --no-watch)"),
    }
}

/// Watches the parent directory of every file (editors replace files by renaming, which a
/// watch on the file itself would lose) and every handler directory recursively.
fn watch_all(
    watcher: &mut notify::RecommendedWatcher,
    set: &WatchSet,
    watched: &mut BTreeSet<(PathBuf, bool)>,
) {
    let mut wanted = BTreeSet::new();
    for file in &set.files {
        if let Some(dir) = file.parent() {
            wanted.insert((dir.to_owned(), false));
        }
    }
    for dir in &set.dirs {
        wanted.insert((dir.clone(), true));
    }
    for (dir, recursive) in wanted {
        if watched.contains(&(dir.clone(), recursive)) {
            continue;
        }
        let mode = if recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        match watcher.watch(&dir, mode) {
            Ok(()) => {
                watched.insert((dir, recursive));
            }
            Err(e) => tracing::warn!("cannot watch {}: {e}", dir.display()),
        }
    }
}

impl Distribution {
    /// A ring buffer for the dashboard, sized as the config asks (it outlives reloads).
    pub fn recent_buffer(&self) -> Arc<Recent> {
        Recent::new(self.dashboard.as_ref().map_or(1, |d| d.recent_requests))
    }

    /// The dashboard's reserved path (`/_edgesim/`), when enabled.
    pub fn dashboard_path(&self) -> Option<&str> {
        self.dashboard.as_ref().map(|d| d.path.as_str())
    }

    /// The cache store (shared with the previous distribution when a reload kept it).
    pub(crate) fn cache_handle(&self) -> Arc<crate::cache::Cache> {
        self.cache.clone()
    }

    /// What the cache's contents depend on: each behavior's position, pattern, origin, cache
    /// and origin request policies, compression, error TTL and cached methods, and the custom
    /// error responses. Equal signatures mean cached keys and TTLs keep their meaning across a
    /// reload.
    pub(crate) fn cache_signature(&self) -> Vec<String> {
        let behaviors = &self.behaviors;
        behaviors
            .ordered
            .iter()
            .chain(std::iter::once(&behaviors.default))
            .map(|b| {
                format!(
                    "{}|{}|{:?}|{:?}|{}|{:?}|{}|{:?}",
                    b.pattern_text(),
                    self.origins.get(b.origin).id,
                    b.cache,
                    b.origin_request_policy,
                    b.compress,
                    b.error_ttl,
                    b.caches_options,
                    b.failover.as_ref().map(|f| &f.secondary.id),
                )
            })
            .chain(std::iter::once(format!("{:?}", self.custom_errors)))
            .collect()
    }
}
