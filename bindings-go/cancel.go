package net

/*
#include "mesh_shim.h"
*/
import "C"

import (
	"context"
	"errors"
)

// A blocking libnet call that takes a net_cancel_t returns "cancelled" as
// soon as the token is triggered. bindCancel ties a token to a ctx (and,
// for calls a Close must interrupt, to the node's own lifetime), so a
// context's cancellation or deadline stops the wait inside libnet itself:
// no polling in short slices, no thread left behind.

// cancelBinding is one token tied to one blocking call.
type cancelBinding struct {
	token C.uintptr_t
	stops []func() bool
	fired chan struct{}
}

// bindCancel returns a token that fires when any of ctxs is done; its
// token is 0 when none of them can ever be done (the call then needs
// none, and nothing was allocated). Release it with release once the
// call has returned.
func bindCancel(ctxs ...context.Context) (cancelBinding, error) {
	var b cancelBinding
	for _, ctx := range ctxs {
		if ctx.Done() == nil {
			continue
		}
		if b.token == 0 {
			if b.token = C.netgo_cancel_new(); b.token == 0 {
				return b, &Error{Kind: "out_of_memory", Message: "could not allocate a cancellation token", Code: int(C.NET_ERR_UNKNOWN)}
			}
			b.fired = make(chan struct{}, len(ctxs))
		}
		token, fired := b.token, b.fired
		b.stops = append(b.stops, context.AfterFunc(ctx, func() {
			C.netgo_cancel_trigger(token)
			fired <- struct{}{}
		}))
	}
	return b, nil
}

// release detaches the token from its contexts and frees it. A trigger
// already running is waited for, so it never touches a freed token.
func (b *cancelBinding) release() {
	if b.token == 0 {
		return
	}
	for _, stop := range b.stops {
		if !stop() {
			<-b.fired
		}
	}
	C.netgo_cancel_free(b.token)
	b.token = 0
}

// contextError is what a call whose ctx ended returns: kind "timeout"
// for a deadline, "cancelled" otherwise, wrapping ctx.Err() so that
// errors.Is works with context.DeadlineExceeded / context.Canceled too.
// nil when ctx has not ended.
func contextError(ctx context.Context) error {
	err := ctx.Err()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Kind: ErrTimeout.Kind, Message: err.Error(), Code: int(C.NET_ERR_TIMEOUT), cause: err}
	default:
		return &Error{Kind: ErrCancelled.Kind, Message: err.Error(), Code: int(C.NET_ERR_CANCELLED), cause: err}
	}
}

// settle turns the result of a call made with b into what the caller
// sees: a "cancelled" from libnet becomes the ctx's own error (or
// ErrClosed when it was the node closing, which no ctx reports).
func settle(err error, ctx context.Context, what string) error {
	if !errors.Is(err, ErrCancelled) {
		return err
	}
	if cerr := contextError(ctx); cerr != nil {
		return cerr
	}
	return closedError(what)
}
