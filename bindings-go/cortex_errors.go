package net

// Sentinels of the RedEX and NetDb surface (net_cortex.h), for errors.Is.
// Kinds are the same strings in every Net binding.
var (
	// A RedEX configuration was refused (bad values, Persistent without a
	// directory, a different configuration for an open file).
	ErrRedexConfig = sentinel("redex:config")
	// A log is damaged in the middle; the message names the segment file
	// and byte offset. Reopen with Recover to cut it.
	ErrRedexCorrupt = sentinel("redex:corrupt")
	// Another owner holds the file's directory.
	ErrRedexLocked = sentinel("redex:locked")
	// The RedEX file (or Redex) is closed.
	ErrRedexClosed = sentinel("redex:closed")
	// A payload or key too large for a record.
	ErrRedexTooLarge = sentinel("redex:too_large")
	// An empty idempotency key.
	ErrRedexInvalidKey = sentinel("redex:invalid_key")
	// A tail fell behind retention; it continues from the oldest record.
	ErrRedexTailLagged = sentinel("redex:tail_lagged")
	// The operating system failed a read, write, fsync or rename.
	ErrRedexIO = sentinel("redex:io")
	// A model's fold stopped at an event it could not apply.
	ErrFoldHalted = sentinel("cortex:fold_halted")
	// A model's RedEX file failed (I/O, corruption, lock, configuration).
	ErrCortexIO = sentinel("cortex:io")
	// A mutation named an id the model does not hold.
	ErrCortexNotFound = sentinel("cortex:not_found")
	// Create or Store with an id already in use.
	ErrCortexExists = sentinel("cortex:exists")
	// The NetDb is closed.
	ErrCortexClosed = sentinel("cortex:closed")
	// A snapshot bundle was refused.
	ErrNetDbBundle = sentinel("netdb:bundle")
	// The NetDb was opened without that model.
	ErrMissingModel = sentinel("netdb:missing_model")
)
