package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// jobStore keeps the workspace under <data-dir>/jobs/: one file per run in runs/, the
// notebooks in workspace.json. Every file is replaced atomically, so a crash leaves the old
// version or the new one.
type jobStore struct {
	dir string
}

const notebooksName = "workspace.json"

func (s *jobStore) runsDir() string { return filepath.Join(s.dir, "runs") }

// saveRun writes one run's file.
func (s *jobStore) saveRun(f *runFile) error {
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("keep run %d: %w", f.Run.RunID, err)
	}
	return writeAtomic(s.runsDir(), strconv.FormatInt(f.Run.RunID, 10)+".json", data)
}

// loadRuns reads every run kept.
func (s *jobStore) loadRuns() ([]*runFile, error) {
	entries, err := os.ReadDir(s.runsDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the workspace's runs: %w", err)
	}
	var runs []*runFile
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := filepath.Join(s.runsDir(), e.Name())
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read run %s: %w", name, err)
		}
		var f runFile
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("read run %s: %w: move the file away to start without it", name, err)
		}
		runs = append(runs, &f)
	}
	return runs, nil
}

// workspaceFile is what workspace.json holds: the notebooks by path and the folders made with
// mkdirs (a notebook's folders exist without it).
type workspaceFile struct {
	Notebooks map[string]*notebook `json:"notebooks"`
	Folders   []string             `json:"folders"`
}

// loadObjects reads the notebooks and folders kept; none before the first import.
func (s *jobStore) loadObjects() (workspaceFile, error) {
	name := filepath.Join(s.dir, notebooksName)
	f := workspaceFile{Notebooks: map[string]*notebook{}}
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("read the workspace's notebooks: %w", err)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("read the workspace's notebooks %s: %w: move the file away and deploy again", name, err)
	}
	if f.Notebooks == nil {
		f.Notebooks = map[string]*notebook{}
	}
	return f, nil
}

// saveObjects writes every notebook and folder.
func (s *jobStore) saveObjects(f workspaceFile) error {
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("keep the workspace's notebooks: %w", err)
	}
	return writeAtomic(s.dir, notebooksName, data)
}

// writeAtomic replaces dir/name with data through a temporary file and a rename.
func writeAtomic(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	tmp, err := os.CreateTemp(dir, "."+name+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	return nil
}
