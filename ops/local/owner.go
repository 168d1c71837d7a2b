package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// stateFile is what the owning process publishes in the data dir once its stack serves.
type stateFile struct {
	// Token matches the one the owner wrote into stack.lock, so a stack.json left by a crashed
	// owner is never mistaken for the current owner's.
	Token     string    `json:"token"`
	PID       int       `json:"pid"`
	Started   time.Time `json:"started"`
	Endpoints Endpoints `json:"endpoints"`
}

const (
	lockName  = "stack.lock"
	stateName = "stack.json"
)

// attachPoll is how often an attaching process looks for the owner's stack.json while the owner
// is still starting.
const attachPoll = 50 * time.Millisecond

// errOwned reports that another process (or another Start in this one) owns the data dir.
var errOwned = errors.New("data dir owned by a running stack")

// held keeps every lock file this process holds reachable: the lock lives as long as its file
// descriptor, and a garbage-collected *os.File would close it and hand the data dir to another
// process while this one still serves it.
var held sync.Map

// lockDir takes the data dir's owner lock without waiting. The lock is an flock on stack.lock,
// which the kernel drops when the owner dies, so a crashed owner never leaves the dir locked:
// whatever stack.json it left behind is stale and gets replaced.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", filepath.Join(dir, lockName), err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errOwned
		}
		return nil, fmt.Errorf("lock %s: %w", filepath.Join(dir, lockName), err)
	}
	held.Store(f, struct{}{})
	return f, nil
}

// claimDir writes the new owner's token into the lock file it holds.
func claimDir(f *os.File, token string) error {
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("claim %s: %w", f.Name(), err)
	}
	if _, err := f.WriteAt([]byte(token), 0); err != nil {
		return fmt.Errorf("claim %s: %w", f.Name(), err)
	}
	return nil
}

// unlockDir releases the owner lock.
func unlockDir(f *os.File) error {
	held.Delete(f)
	return f.Close()
}

// writeState publishes the owner's endpoints atomically: attachers see no file or a whole one.
func writeState(dir string, st stateFile) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".stack-*.json")
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, stateName), err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", filepath.Join(dir, stateName), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, stateName), err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, stateName)); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, stateName), err)
	}
	return nil
}

// removeState withdraws the endpoints, before the owner stops serving them.
func removeState(dir string) error {
	if err := os.Remove(filepath.Join(dir, stateName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", filepath.Join(dir, stateName), err)
	}
	return nil
}

// readPublished reads the owner's stack.json once; it reports false when there is none, or when
// it is not the current lock holder's (a new owner is starting).
func readPublished(dir string) (stateFile, bool, error) {
	name := filepath.Join(dir, stateName)
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return stateFile{}, false, nil
	}
	if err != nil {
		return stateFile{}, false, fmt.Errorf("read %s: %w", name, err)
	}
	var st stateFile
	if err := json.Unmarshal(data, &st); err != nil {
		return stateFile{}, false, fmt.Errorf("read %s: %w: stop the other pintui, or delete the file if none runs", name, err)
	}
	token, err := os.ReadFile(filepath.Join(dir, lockName))
	if err != nil {
		return stateFile{}, false, fmt.Errorf("read %s: %w", filepath.Join(dir, lockName), err)
	}
	return st, st.Token != "" && st.Token == string(token), nil
}

// readState waits until the owner has published its endpoints. It gives up when ctx ends, or
// when the lock becomes free, which means the owner stopped or died before publishing.
func readState(ctx context.Context, dir string) (stateFile, error) {
	for {
		st, ok, err := readPublished(dir)
		if err != nil {
			return stateFile{}, err
		}
		if ok {
			return st, nil
		}
		if f, err := lockDir(dir); err == nil {
			unlockDir(f)
			return stateFile{}, fmt.Errorf("attach to the stack in %s: its owner stopped before publishing %s: start again", dir, stateName)
		}
		select {
		case <-ctx.Done():
			return stateFile{}, fmt.Errorf("attach to the stack in %s: the owner has not published %s yet: %w", dir, stateName, ctx.Err())
		case <-time.After(attachPoll):
		}
	}
}

// Serving says which pintui serves the stack of a data dir, without attaching to it: the owner's
// pid and endpoints, or false when none does (no stack.json, one left by an owner that died, or
// one a new owner has not claimed yet).
func Serving(dataDir string) (pid int, e Endpoints, ok bool) {
	st, ok, err := readPublished(dataDir)
	if err != nil || !ok || st.PID <= 0 {
		return 0, Endpoints{}, false
	}
	if err := syscall.Kill(st.PID, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return 0, Endpoints{}, false
	}
	return st.PID, st.Endpoints, true
}
