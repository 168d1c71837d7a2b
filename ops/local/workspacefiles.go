package local

import (
	"encoding/base64"
	"hash/fnv"
	"iter"
	"maps"
	"net/http"
	"path"
	"slices"
	"strings"
)

// notebook is one notebook of the workspace; folders are the paths above notebooks.
type notebook struct {
	Language   string `json:"language"`
	Source     []byte `json:"source"`
	CreatedAt  int64  `json:"created_at"`
	ModifiedAt int64  `json:"modified_at"`
}

// objectInfo is a workspace object as list and get-status answer it.
type objectInfo struct {
	Path       string `json:"path"`
	ObjectType string `json:"object_type"`
	ObjectID   int64  `json:"object_id"`
	Language   string `json:"language,omitempty"`
	CreatedAt  int64  `json:"created_at,omitempty"`
	ModifiedAt int64  `json:"modified_at,omitempty"`
	Size       int64  `json:"size,omitempty"`
}

// maxNotebookSize is the largest notebook import takes, as Databricks.
const maxNotebookSize = 10 << 20

// objectID derives a stable id from an object's path.
func objectID(p string) int64 {
	h := fnv.New64a()
	h.Write([]byte(p))
	return int64(h.Sum64() >> 1)
}

// importNotebook adds or replaces a notebook. The caller holds w.mu or owns w alone.
func (w *workspace) importNotebook(p, language string, source []byte) {
	now := millis(w.now())
	nb, ok := w.notebooks[p]
	if !ok {
		nb = &notebook{CreatedAt: now}
		w.notebooks[p] = nb
	}
	nb.Language, nb.Source, nb.ModifiedAt = language, source, now
}

// info describes the object at p, if there is one.
func (w *workspace) info(p string) (objectInfo, bool) {
	if nb, ok := w.notebooks[p]; ok {
		return objectInfo{Path: p, ObjectType: "NOTEBOOK", ObjectID: objectID(p), Language: nb.Language,
			CreatedAt: nb.CreatedAt, ModifiedAt: nb.ModifiedAt, Size: int64(len(nb.Source))}, true
	}
	if p == "/" {
		return objectInfo{Path: p, ObjectType: "DIRECTORY", ObjectID: 0}, true
	}
	for q := range w.objectPaths() {
		if q == p || strings.HasPrefix(q, p+"/") {
			return objectInfo{Path: p, ObjectType: "DIRECTORY", ObjectID: objectID(p)}, true
		}
	}
	return objectInfo{}, false
}

// objectPaths yields the path of every notebook and of every folder made with mkdirs.
func (w *workspace) objectPaths() iter.Seq[string] {
	return func(yield func(string) bool) {
		for q := range w.notebooks {
			if !yield(q) {
				return
			}
		}
		for q := range w.folders {
			if !yield(q) {
				return
			}
		}
	}
}

// workspacePath reads and checks the path parameter of a request.
func workspacePath(p string) (string, error) {
	if !path.IsAbs(p) {
		return "", invalidParameter("path %q is not an absolute workspace path: give one such as /Shared/pintui", p)
	}
	if slices.Contains(strings.Split(p, "/"), "..") {
		return "", invalidParameter("path %q climbs with ..: give the folder itself", p)
	}
	return path.Clean(p), nil
}

func (w *workspace) objectAt(r *http.Request) (objectInfo, error) {
	p, err := workspacePath(r.URL.Query().Get("path"))
	if err != nil {
		return objectInfo{}, err
	}
	info, ok := w.info(p)
	if !ok {
		return objectInfo{}, noSuchResource("Path (%s) doesn't exist.", p)
	}
	return info, nil
}

type importRequest struct {
	Path      string `json:"path"`
	Format    string `json:"format"`
	Language  string `json:"language"`
	Content   string `json:"content"`
	Overwrite bool   `json:"overwrite"`
}

func (w *workspace) importObject(r *http.Request) (any, error) {
	var req importRequest
	if err := readJSONBody(r, &req); err != nil {
		return nil, err
	}
	p, err := workspacePath(req.Path)
	if err != nil {
		return nil, err
	}
	switch req.Format {
	case "", "SOURCE", "AUTO":
	default:
		return nil, invalidParameter("format %s is not one the local workspace imports: use SOURCE", req.Format)
	}
	switch req.Language {
	case "PYTHON", "SCALA", "SQL", "R":
	case "":
		if req.Format != "AUTO" {
			return nil, invalidParameter("the language must be given to import %s in format SOURCE: give PYTHON, SCALA, SQL or R", p)
		}
		req.Language = "PYTHON"
	default:
		return nil, invalidParameter("language %s is not PYTHON, SCALA, SQL or R", req.Language)
	}
	source, err := base64.StdEncoding.DecodeString(req.Content)
	if err != nil {
		return nil, invalidParameter("content of %s is not base64: %v", p, err)
	}
	if len(source) > maxNotebookSize {
		return nil, &apiError{http.StatusBadRequest, "MAX_NOTEBOOK_SIZE_EXCEEDED",
			"the notebook is larger than the 10 MB a workspace imports"}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if info, ok := w.info(p); ok && (info.ObjectType != "NOTEBOOK" || !req.Overwrite) {
		return nil, &apiError{http.StatusBadRequest, "RESOURCE_ALREADY_EXISTS", "Path (" + p + ") already exists."}
	}
	for q := path.Dir(p); q != "/"; q = path.Dir(q) {
		if _, ok := w.notebooks[q]; ok {
			return nil, invalidParameter("%s is a notebook, so %s cannot be in it", q, p)
		}
	}
	w.importNotebook(p, req.Language, source)
	if err := w.saveObjects(); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// saveObjects keeps the notebooks and folders. The caller holds w.mu or owns w alone.
func (w *workspace) saveObjects() error {
	return w.store.saveObjects(workspaceFile{Notebooks: w.notebooks, Folders: slices.Sorted(maps.Keys(w.folders))})
}

func (w *workspace) mkdirs(r *http.Request) (any, error) {
	var req struct {
		Path string `json:"path"`
	}
	if err := readJSONBody(r, &req); err != nil {
		return nil, err
	}
	p, err := workspacePath(req.Path)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for q := p; q != "/"; q = path.Dir(q) {
		if _, ok := w.notebooks[q]; ok {
			return nil, &apiError{http.StatusBadRequest, "RESOURCE_ALREADY_EXISTS", "Path (" + q + ") already exists as a notebook."}
		}
	}
	if info, ok := w.info(p); ok && info.ObjectType == "DIRECTORY" {
		return struct{}{}, nil
	}
	w.folders[p] = true
	if err := w.saveObjects(); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (w *workspace) listObjects(r *http.Request) (any, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	info, err := w.objectAt(r)
	if err != nil {
		return nil, err
	}
	if info.ObjectType == "NOTEBOOK" {
		return map[string]any{"objects": []objectInfo{info}}, nil
	}
	prefix := strings.TrimSuffix(info.Path, "/") + "/"
	children := map[string]bool{}
	for q := range w.objectPaths() {
		if rest, ok := strings.CutPrefix(q, prefix); ok {
			first, _, _ := strings.Cut(rest, "/")
			children[prefix+first] = true
		}
	}
	objects := []objectInfo{}
	for _, c := range slices.Sorted(maps.Keys(children)) {
		o, _ := w.info(c)
		objects = append(objects, o)
	}
	return map[string]any{"objects": objects}, nil
}

func (w *workspace) getStatus(r *http.Request) (any, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.objectAt(r)
}

func (w *workspace) exportObject(r *http.Request) (any, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	info, err := w.objectAt(r)
	if err != nil {
		return nil, err
	}
	if f := r.URL.Query().Get("format"); f != "" && f != "SOURCE" {
		return nil, invalidParameter("format %s is not one the local workspace exports: use SOURCE", f)
	}
	if info.ObjectType != "NOTEBOOK" {
		return nil, invalidParameter("%s is a folder: export its notebooks one at a time", info.Path)
	}
	nb := w.notebooks[info.Path]
	return map[string]string{"content": base64.StdEncoding.EncodeToString(nb.Source), "file_type": fileType(nb.Language)}, nil
}

// fileType is the extension a notebook's source has in SOURCE format.
func fileType(language string) string {
	switch language {
	case "SCALA":
		return "scala"
	case "SQL":
		return "sql"
	case "R":
		return "r"
	}
	return "py"
}
