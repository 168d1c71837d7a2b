package delta

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Protocol is the reader and writer versions a table requires.
type Protocol struct {
	MinReaderVersion int32 `json:"minReaderVersion" parquet:"minReaderVersion"`
	MinWriterVersion int32 `json:"minWriterVersion" parquet:"minWriterVersion"`
}

// tableProtocol is the protocol every table is created with: no table features, so every
// Delta reader accepts it.
var tableProtocol = Protocol{MinReaderVersion: 1, MinWriterVersion: 2}

// Format names the data file format of a table.
type Format struct {
	Provider string            `json:"provider" parquet:"provider"`
	Options  map[string]string `json:"options" parquet:"options"`
}

// Metadata is a table's identity and schema.
type Metadata struct {
	ID               string            `json:"id" parquet:"id"`
	Name             *string           `json:"name,omitempty" parquet:"name,optional"`
	Description      *string           `json:"description,omitempty" parquet:"description,optional"`
	Format           Format            `json:"format" parquet:"format"`
	SchemaString     string            `json:"schemaString" parquet:"schemaString"`
	PartitionColumns []string          `json:"partitionColumns" parquet:"partitionColumns,list"`
	Configuration    map[string]string `json:"configuration" parquet:"configuration"`
	CreatedTime      *int64            `json:"createdTime,omitempty" parquet:"createdTime,optional"`
}

// Add is one live data file of a table.
type Add struct {
	// Path is relative to the table root and URL-encoded.
	Path             string            `json:"path" parquet:"path"`
	PartitionValues  map[string]string `json:"partitionValues" parquet:"partitionValues"`
	Size             int64             `json:"size" parquet:"size"`
	ModificationTime int64             `json:"modificationTime" parquet:"modificationTime"`
	DataChange       bool              `json:"dataChange" parquet:"dataChange"`
	// Stats is a JSON document with numRecords, minValues, maxValues and nullCount.
	Stats string `json:"stats,omitempty" parquet:"stats,optional"`
}

// Remove marks a data file as no longer part of the table.
type Remove struct {
	Path                 string            `json:"path" parquet:"path"`
	DeletionTimestamp    int64             `json:"deletionTimestamp" parquet:"deletionTimestamp,optional"`
	DataChange           bool              `json:"dataChange" parquet:"dataChange"`
	ExtendedFileMetadata bool              `json:"extendedFileMetadata" parquet:"extendedFileMetadata,optional"`
	PartitionValues      map[string]string `json:"partitionValues" parquet:"partitionValues"`
	Size                 int64             `json:"size" parquet:"size,optional"`
}

// Txn records the last micro-batch version an application committed to a table.
type Txn struct {
	AppID       string `json:"appId" parquet:"appId"`
	Version     int64  `json:"version" parquet:"version"`
	LastUpdated int64  `json:"lastUpdated,omitempty" parquet:"lastUpdated,optional"`
}

// commitInfo is the free-form provenance Spark and delta-rs write with every commit.
type commitInfo struct {
	Timestamp           int64             `json:"timestamp"`
	Operation           string            `json:"operation"`
	OperationParameters map[string]string `json:"operationParameters"`
	IsBlindAppend       bool              `json:"isBlindAppend"`
	EngineInfo          string            `json:"engineInfo"`
	TxnID               string            `json:"txnId"`
	RunID               string            `json:"runId,omitempty"`
}

// runIDOf returns the run id a commit's commitInfo recorded, or "".
func runIDOf(actions []action) string {
	for _, a := range actions {
		if a.CommitInfo != nil {
			return a.CommitInfo.RunID
		}
	}
	return ""
}

// action is one line of a commit file; exactly one field is set.
type action struct {
	CommitInfo *commitInfo `json:"commitInfo,omitempty"`
	Protocol   *Protocol   `json:"protocol,omitempty"`
	MetaData   *Metadata   `json:"metaData,omitempty"`
	Txn        *Txn        `json:"txn,omitempty"`
	Add        *Add        `json:"add,omitempty"`
	Remove     *Remove     `json:"remove,omitempty"`
}

// encodeCommit writes actions as newline-delimited JSON, one action per line.
func encodeCommit(actions []action) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, a := range actions {
		if err := enc.Encode(a); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// decodeCommit parses a commit file, ignoring actions this reader does not know (cdc, domainMetadata…).
func decodeCommit(data []byte) ([]action, error) {
	var out []action
	for n, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var a action
		if err := json.Unmarshal(line, &a); err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		out = append(out, a)
	}
	return out, nil
}
