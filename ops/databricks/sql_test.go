package databricks

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestQueryPollsUntilSucceededAndConvertsByType(t *testing.T) {
	f, srv := newFakeWorkspace(t)
	c := f.client(t, srv)
	const stmt = "SELECT * FROM `0a1b2c3d4e5f_pin_batch` LIMIT 2 OFFSET 0"
	cols := []map[string]any{
		{"name": "ind", "position": 0, "type_name": "LONG", "type_text": "BIGINT"},
		{"name": "title", "position": 1, "type_name": "STRING", "type_text": "STRING"},
		{"name": "follower_count", "position": 2, "type_name": "INT", "type_text": "INT"},
		{"name": "score", "position": 3, "type_name": "DOUBLE", "type_text": "DOUBLE"},
		{"name": "timestamp", "position": 4, "type_name": "TIMESTAMP", "type_text": "TIMESTAMP"},
		{"name": "ok", "position": 5, "type_name": "BOOLEAN", "type_text": "BOOLEAN"},
		{"name": "price", "position": 6, "type_name": "DECIMAL", "type_text": "DECIMAL(10,2)"},
	}
	next := 1
	f.stmts[stmt] = map[string]any{
		"statement_id": "01ef-ok",
		"status":       map[string]any{"state": "SUCCEEDED"},
		"manifest": map[string]any{"format": "JSON_ARRAY", "schema": map[string]any{"column_count": 7, "columns": cols},
			"total_chunk_count": 2, "total_row_count": 2, "truncated": false},
		"result": map[string]any{"chunk_index": 0, "row_offset": 0, "row_count": 1, "next_chunk_index": next,
			"data_array": [][]any{{"7528", "Ideas", "5000", "0.5", "2020-06-18T15:32:04.000Z", "true", "12.30"}}},
		"chunk1": map[string]any{"chunk_index": 1, "row_offset": 1, "row_count": 1,
			"data_array": [][]any{{"2863", nil, nil, "not a number", nil, nil, nil}}},
	}
	rs, err := c.Query(context.Background(), Statement{Warehouse: "wh1", Catalog: "hive_metastore", Schema: "default", SQL: stmt})
	if err != nil {
		t.Fatal(err)
	}
	want := ResultSet{
		Columns: []Column{{"ind", "LONG"}, {"title", "STRING"}, {"follower_count", "INT"}, {"score", "DOUBLE"}, {"timestamp", "TIMESTAMP"}, {"ok", "BOOLEAN"}, {"price", "DECIMAL"}},
		Rows: [][]any{
			{int64(7528), "Ideas", int32(5000), 0.5, time.Date(2020, 6, 18, 15, 32, 4, 0, time.UTC), true, "12.30"},
			{int64(2863), nil, nil, "not a number", nil, nil, nil},
		},
	}
	if !reflect.DeepEqual(rs, want) {
		t.Fatalf("result\n%#v\nwant\n%#v", rs, want)
	}
	var sent map[string]any
	if err := json.Unmarshal([]byte(f.body("/api/2.0/sql/statements")[0]), &sent); err != nil {
		t.Fatal(err)
	}
	wantSent := map[string]any{"warehouse_id": "wh1", "statement": stmt, "catalog": "hive_metastore", "schema": "default",
		"wait_timeout": "10s", "on_wait_timeout": "CONTINUE", "disposition": "INLINE", "format": "JSON_ARRAY"}
	if !reflect.DeepEqual(sent, wantSent) {
		t.Fatalf("sent %v\nwant %v", sent, wantSent)
	}
	if f.polls["01ef-ok"] != 2 {
		t.Fatalf("polled %d times, want 2 (RUNNING, SUCCEEDED)", f.polls["01ef-ok"])
	}
}

func TestQueryFailedSaysWhy(t *testing.T) {
	f, srv := newFakeWorkspace(t)
	c := f.client(t, srv)
	_, err := c.Query(context.Background(), Statement{Warehouse: "wh1", SQL: "DESCRIBE TABLE `nope`"})
	want := "run \"DESCRIBE TABLE `nope`\" on SQL warehouse wh1: the statement failed (BAD_REQUEST: [TABLE_OR_VIEW_NOT_FOUND] The table or view `nope` cannot be found.): check the table and schema names (databricks.catalog, databricks.schema)"
	if err == nil || err.Error() != want {
		t.Fatalf("err\n%v\nwant\n%s", err, want)
	}
}

func TestWarehouseState(t *testing.T) {
	f, srv := newFakeWorkspace(t)
	c := f.client(t, srv)
	f.warehouse = map[string]any{"id": "wh1", "name": "Starter Warehouse", "state": "STOPPED", "cluster_size": "2X-Small", "auto_stop_mins": 10}
	w, err := c.Warehouse(context.Background(), "wh1")
	if err != nil || w != (Warehouse{ID: "wh1", Name: "Starter Warehouse", State: "STOPPED"}) || !w.Stopped() {
		t.Fatalf("warehouse %+v %v", w, err)
	}
	_, err = c.Warehouse(context.Background(), "wh2")
	if want := "get SQL warehouse wh2: Unable to find warehouse. (RESOURCE_DOES_NOT_EXIST): set databricks.warehouse_id to a warehouse of the workspace"; err == nil || err.Error() != want {
		t.Fatalf("err\n%v\nwant\n%s", err, want)
	}
}
