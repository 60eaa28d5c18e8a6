// Clang's thread-safety annotations: which mutex guards which field, which functions take
// or need a lock. Clang checks them at compile time (-Wthread-safety, an error in every
// clang build: the ThreadSanitizer and fuzz builds); under GCC they expand to nothing.
//
// The names follow clang's documentation ("Thread Safety Analysis") and LevelDB's
// port/thread_annotations.h; use them with ecoute::Mutex (util/mutex.h), whose lock and
// unlock are annotated, rather than with a bare std::mutex, which clang cannot see through.
#pragma once

#if defined(__clang__)
#define ECOUTE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define ECOUTE_THREAD_ANNOTATION(x)
#endif

// On a class: its objects are locks ("mutex").
#define ECOUTE_CAPABILITY(x) ECOUTE_THREAD_ANNOTATION(capability(x))

// On a class: an RAII object that holds a lock for its lifetime (MutexLock).
#define ECOUTE_SCOPED_CAPABILITY ECOUTE_THREAD_ANNOTATION(scoped_lockable)

// On a field: read and written only with the named mutex held.
#define ECOUTE_GUARDED_BY(x) ECOUTE_THREAD_ANNOTATION(guarded_by(x))

// On a pointer field: the pointee is read and written only with the named mutex held.
#define ECOUTE_PT_GUARDED_BY(x) ECOUTE_THREAD_ANNOTATION(pt_guarded_by(x))

// On a function: the caller must hold the named mutexes.
#define ECOUTE_REQUIRES(...) ECOUTE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))

// On a function: the caller must not hold the named mutexes (the function takes them).
#define ECOUTE_EXCLUDES(...) ECOUTE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// On a function: it returns with the named mutexes (or `this`) held / released.
#define ECOUTE_ACQUIRE(...) ECOUTE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ECOUTE_RELEASE(...) ECOUTE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))

// On a function: tells the analysis, without checking, that the mutex is held.
#define ECOUTE_ASSERT_CAPABILITY(x) ECOUTE_THREAD_ANNOTATION(assert_capability(x))

// On a function: the analysis skips its body. Say why beside each use.
#define ECOUTE_NO_THREAD_SAFETY_ANALYSIS ECOUTE_THREAD_ANNOTATION(no_thread_safety_analysis)
