package databricks

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/databricks/databricks-sdk-go/service/sql"
)

// Warehouse is a SQL warehouse and its state.
type Warehouse struct {
	ID, Name string
	// State is STARTING, RUNNING, STOPPING, STOPPED or DELETED.
	State string
}

// Stopped reports whether a statement would have to start the warehouse first.
func (w Warehouse) Stopped() bool {
	return w.State == string(sql.StateStopped) || w.State == string(sql.StateStopping)
}

// Warehouse returns the SQL warehouse with this id.
func (c *Client) Warehouse(ctx context.Context, id string) (Warehouse, error) {
	w, err := c.warehouses.Get(ctx, sql.GetWarehouseRequest{Id: id})
	if err != nil {
		return Warehouse{}, c.fail("get SQL warehouse "+id, err, "set databricks.warehouse_id to a warehouse of the workspace")
	}
	return Warehouse{ID: w.Id, Name: w.Name, State: string(w.State)}, nil
}

// Statement is one SQL statement to run on a warehouse.
type Statement struct {
	Warehouse, Catalog, Schema string
	SQL                        string
	// Parameters bind :name markers in SQL to string values.
	Parameters map[string]string
}

// Column is one column of a result: its name and the type_name the warehouse reports (STRING,
// LONG, INT, DOUBLE, TIMESTAMP …).
type Column struct {
	Name, Type string
}

// ResultSet is what a statement returned. Each row holds one value per column, converted by the
// column's type: nil, string, int64, int32, float64, bool or time.Time; a value of another type,
// or one that does not parse, stays a string.
type ResultSet struct {
	Columns []Column
	Rows    [][]any
}

// The statement's wire shapes, declared here because the SDK's ResultData reads data_array as
// strings and so turns a SQL NULL into "".
type statementRequest struct {
	WarehouseID   string               `json:"warehouse_id"`
	Statement     string               `json:"statement"`
	Catalog       string               `json:"catalog,omitempty"`
	Schema        string               `json:"schema,omitempty"`
	Parameters    []statementParameter `json:"parameters,omitempty"`
	WaitTimeout   string               `json:"wait_timeout"`
	OnWaitTimeout string               `json:"on_wait_timeout"`
	Disposition   string               `json:"disposition"`
	Format        string               `json:"format"`
}

type statementParameter struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Type  string `json:"type"`
}

type statementResponse struct {
	StatementID string `json:"statement_id"`
	Status      struct {
		State string `json:"state"`
		Error *struct {
			ErrorCode string `json:"error_code"`
			Message   string `json:"message"`
		} `json:"error"`
	} `json:"status"`
	Manifest *struct {
		Schema struct {
			Columns []struct {
				Name     string `json:"name"`
				TypeName string `json:"type_name"`
			} `json:"columns"`
		} `json:"schema"`
	} `json:"manifest"`
	Result *resultChunk `json:"result"`
}

type resultChunk struct {
	DataArray      [][]*string `json:"data_array"`
	NextChunkIndex *int        `json:"next_chunk_index"`
}

// Query runs the statement, polls it until it has ended, and returns its rows. A statement that
// fails returns the warehouse's error; one whose ctx ends is cancelled.
func (c *Client) Query(ctx context.Context, s Statement) (ResultSet, error) {
	req := statementRequest{
		WarehouseID: s.Warehouse, Statement: s.SQL, Catalog: s.Catalog, Schema: s.Schema,
		WaitTimeout: "10s", OnWaitTimeout: "CONTINUE", Disposition: "INLINE", Format: "JSON_ARRAY",
	}
	for name, v := range s.Parameters {
		req.Parameters = append(req.Parameters, statementParameter{Name: name, Value: v, Type: "STRING"})
	}
	op := fmt.Sprintf("run %q on SQL warehouse %s", s.SQL, s.Warehouse)
	var resp statementResponse
	if err := c.do(ctx, http.MethodPost, "/api/2.0/sql/statements", req, &resp); err != nil {
		return ResultSet{}, c.fail(op, err, "set databricks.warehouse_id to a warehouse of the workspace")
	}
	for resp.Status.State == string(sql.StatementStatePending) || resp.Status.State == string(sql.StatementStateRunning) {
		if err := sleep(ctx, c.pollEvery); err != nil {
			c.cancelStatement(resp.StatementID)
			return ResultSet{}, fmt.Errorf("%s: still %s: %w", op, resp.Status.State, err)
		}
		id := resp.StatementID
		resp = statementResponse{}
		if err := c.do(ctx, http.MethodGet, "/api/2.0/sql/statements/"+id, nil, &resp); err != nil {
			return ResultSet{}, c.fail(op, err, "run it again; the warehouse keeps a statement's result for a few hours")
		}
	}
	if resp.Status.State != string(sql.StatementStateSucceeded) {
		why := "no reason given"
		if e := resp.Status.Error; e != nil {
			why = e.ErrorCode + ": " + e.Message
		}
		return ResultSet{}, fmt.Errorf("%s: the statement %s (%s): check the table and schema names (databricks.catalog, databricks.schema)", op, lower(resp.Status.State), why)
	}
	return c.collect(ctx, op, resp)
}

// collect converts the first chunk of a statement's result and fetches the chunks after it.
func (c *Client) collect(ctx context.Context, op string, resp statementResponse) (ResultSet, error) {
	rs := ResultSet{Columns: []Column{}, Rows: [][]any{}}
	if resp.Manifest != nil {
		for _, col := range resp.Manifest.Schema.Columns {
			rs.Columns = append(rs.Columns, Column{Name: col.Name, Type: col.TypeName})
		}
	}
	chunk := resp.Result
	for chunk != nil {
		for _, row := range chunk.DataArray {
			rs.Rows = append(rs.Rows, convertRow(rs.Columns, row))
		}
		if chunk.NextChunkIndex == nil {
			break
		}
		next := &resultChunk{}
		path := fmt.Sprintf("/api/2.0/sql/statements/%s/result/chunks/%d", resp.StatementID, *chunk.NextChunkIndex)
		if err := c.do(ctx, http.MethodGet, path, nil, next); err != nil {
			return ResultSet{}, c.fail(op, err, "run it again")
		}
		chunk = next
	}
	return rs, nil
}

// cancelStatement asks the warehouse to stop a statement nobody waits for any more.
func (c *Client) cancelStatement(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = c.do(ctx, http.MethodPost, "/api/2.0/sql/statements/"+id+"/cancel", nil, nil)
}

func (c *Client) do(ctx context.Context, method, path string, req, resp any) error {
	headers := map[string]string{"Accept": "application/json"}
	if req != nil {
		headers["Content-Type"] = "application/json"
	}
	return c.api.Do(ctx, method, path, headers, nil, req, resp)
}

func convertRow(cols []Column, row []*string) []any {
	out := make([]any, len(cols))
	for i := range cols {
		if i < len(row) && row[i] != nil {
			out[i] = convert(cols[i].Type, *row[i])
		}
	}
	return out
}

// convert turns one data_array value, which the API always sends as a string, into its type.
func convert(typeName, v string) any {
	switch typeName {
	case "LONG":
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case "INT", "SHORT", "BYTE":
		if n, err := strconv.ParseInt(v, 10, 32); err == nil {
			return int32(n)
		}
	case "DOUBLE", "FLOAT":
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	case "BOOLEAN":
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	case "TIMESTAMP", "TIMESTAMP_NTZ":
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t.UTC()
			}
		}
	}
	return v
}

func lower(state string) string {
	switch state {
	case string(sql.StatementStateFailed):
		return "failed"
	case string(sql.StatementStateCanceled):
		return "was cancelled"
	case string(sql.StatementStateClosed):
		return "was closed"
	}
	return "ended " + state
}
