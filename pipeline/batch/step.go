package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pintui/pintui/pipeline/analytics"
	"github.com/pintui/pintui/pipeline/dag"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/record"
)

// StepSummary is what one step of the DAG did, the JSON the batch notebook exits with
// (dbutils.notebook.exit) and runs/get-output reports as the run's result.
type StepSummary struct {
	// Step is the DAG task the run did; "" when it did every step.
	Step string `json:"step"`
	// RunID is the id recorded in the commitInfo of every table the step wrote.
	RunID string `json:"run_id"`
	// Landings counts the landed objects of each topic, for load_landings and every step.
	Landings []TopicLandings `json:"landings"`
	// Tables are the batch tables the step overwrote.
	Tables []StepTable `json:"tables"`
	// Outputs are the analytics outputs the step overwrote.
	Outputs []OutputRun `json:"outputs"`
}

// StepTable says what a step did to one batch table: a TableRun's counts, without the cleaning
// report, which `pintui batch run` prints and the notebook's exit value leaves out.
type StepTable struct {
	Name        string `json:"name"`
	Landings    int    `json:"landings"`
	Read        int64  `json:"read"`
	Duplicates  int64  `json:"duplicates"`
	Quarantined int    `json:"quarantined"`
	Written     int64  `json:"written"`
	Version     int64  `json:"version"`
}

func stepTable(r TableRun) StepTable {
	return StepTable{Name: r.Name, Landings: r.Landings, Read: r.Read, Duplicates: r.Duplicates,
		Quarantined: r.Quarantined, Written: r.Written, Version: r.Version}
}

// TopicLandings counts the objects the S3 sink landed for one topic.
type TopicLandings struct {
	Topic    string `json:"topic"`
	Landings int    `json:"landings"`
}

// stepTables maps each cleaning task of the DAG to the batch table it writes.
var stepTables = map[string]record.Table{
	dag.TaskCleanPin:  record.TablePin,
	dag.TaskCleanGeo:  record.TableGeo,
	dag.TaskCleanUser: record.TableUser,
}

// RunStep runs one task of the DAG, dag.TaskLoadLandings to dag.TaskAnalytics, over the job's
// stores, and returns its StepSummary as JSON; "" runs every step, exactly as Run. The tasks
// share nothing but the stores, so each cleaning step can run on its own once load_landings
// has found every topic's landings, and analytics reads the batch tables they wrote.
func (j *Job) RunStep(ctx context.Context, step string) (string, error) {
	if j.UID == "" || j.Landings == nil || j.Lakehouse == nil {
		return "", fmt.Errorf("run batch step %s: the job needs a user id, a landings store and a lakehouse store", step)
	}
	write := delta.Write{Mode: delta.Overwrite, Rebuild: true, RunID: j.RunID}
	if write.RunID == "" {
		write.RunID = newRunID()
	}
	sum := StepSummary{Step: step, RunID: write.RunID, Landings: []TopicLandings{}, Tables: []StepTable{}, Outputs: []OutputRun{}}
	var err error
	switch table, clean := stepTables[step]; {
	case step == "":
		err = j.runAll(ctx, &sum)
	case step == dag.TaskLoadLandings:
		sum.Landings, err = j.loadLandings(ctx)
	case clean:
		err = j.cleanStep(ctx, table, write, &sum)
	case step == dag.TaskAnalytics:
		sum.Outputs, err = j.analyticsStep(ctx, write)
	default:
		err = fmt.Errorf("unknown step: give one of %s, or none for every step", strings.Join(stepNames(), ", "))
	}
	if err != nil {
		return "", fmt.Errorf("run batch step %s: %w", step, err)
	}
	out, err := json.Marshal(sum)
	if err != nil {
		return "", fmt.Errorf("run batch step %s: %w", step, err)
	}
	return string(out), nil
}

// stepNames lists the DAG's tasks in the order a run starts them.
func stepNames() []string {
	var names []string
	for _, t := range dag.Tasks() {
		names = append(names, t.ID)
	}
	return names
}

// runAll is the step "": the whole job, with Run's guards and its summary.
func (j *Job) runAll(ctx context.Context, sum *StepSummary) error {
	run := *j
	run.RunID = sum.RunID
	res, err := run.Run(ctx)
	if err != nil {
		return err
	}
	for i, t := range res.Tables {
		sum.Landings = append(sum.Landings, TopicLandings{Topic: topicOf(j.UID, record.Tables[i]), Landings: t.Landings})
		sum.Tables = append(sum.Tables, stepTable(t))
	}
	sum.Outputs = res.Outputs
	return nil
}

// loadLandings counts the landings of the three topics, refusing a topic that has none unless
// AllowEmpty: the DAG's first task stops a run that would clean nothing.
func (j *Job) loadLandings(ctx context.Context) ([]TopicLandings, error) {
	var found []TopicLandings
	for _, table := range record.Tables {
		keys, err := landingKeys(ctx, j.Landings, j.UID, table)
		if err != nil {
			return nil, err
		}
		if keys.len() == 0 && !j.AllowEmpty {
			return nil, fmt.Errorf("no landings under %s: run emulate batch and wait landings first", TopicPrefix(j.UID, table))
		}
		found = append(found, TopicLandings{Topic: topicOf(j.UID, table), Landings: keys.len()})
	}
	return found, nil
}

// cleanStep cleans one topic's landings and overwrites its batch table, with Run's guard against
// emptying a table that holds rows.
func (j *Job) cleanStep(ctx context.Context, table record.Table, w delta.Write, sum *StepSummary) error {
	keys, err := landingKeys(ctx, j.Landings, j.UID, table)
	if err != nil {
		return err
	}
	if err := j.checkEmptyTopic(ctx, table, fmt.Sprintf("%s %d", table, keys.len()), keys.len()); err != nil {
		return err
	}
	run, err := j.runTable(ctx, table, keys, w, &progress{report: j.Progress}, nil)
	if err != nil {
		return err
	}
	sum.Landings = []TopicLandings{{Topic: topicOf(j.UID, table), Landings: keys.len()}}
	sum.Tables = []StepTable{stepTable(run)}
	return nil
}

// analyticsStep reads the three batch tables a data file at a time into what the analytics keep
// of each row, and overwrites the nine outputs computed from them.
func (j *Job) analyticsStep(ctx context.Context, w delta.Write) ([]OutputRun, error) {
	var (
		pins  analytics.Pins
		geos  analytics.Geos
		users analytics.Users
	)
	if err := addBatchTable(ctx, j, record.TablePin, pins.Add); err != nil {
		return nil, err
	}
	if err := addBatchTable(ctx, j, record.TableGeo, geos.Add); err != nil {
		return nil, err
	}
	if err := addBatchTable(ctx, j, record.TableUser, users.Add); err != nil {
		return nil, err
	}
	return j.writeAnalytics(ctx, w, analytics.Answer(&pins, &geos, &users))
}

// addBatchTable reads one batch table's cleaned rows back from the lakehouse, one data file at a
// time, and hands each to add.
func addBatchTable[T any](ctx context.Context, j *Job, table record.Table, add func(*T)) error {
	name := TableName(j.UID, table)
	t := delta.Open(j.Lakehouse, name, j.TableOptions...)
	snap, err := t.Snapshot(ctx)
	if errors.Is(err, delta.ErrNoTable) {
		return fmt.Errorf("read table %s: the table does not exist yet: run the step clean_%s first", name, table)
	}
	if err != nil {
		return fmt.Errorf("read table %s: %w", name, err)
	}
	for _, f := range snap.Files {
		rows, err := delta.ReadFile[T](ctx, t, f)
		if err != nil {
			return fmt.Errorf("read table %s: %w", name, err)
		}
		for i := range rows {
			add(&rows[i])
		}
	}
	return nil
}

// writeAnalytics overwrites each output's table with its rows, in the documented order.
func (j *Job) writeAnalytics(ctx context.Context, w delta.Write, outputs analytics.Outputs) ([]OutputRun, error) {
	runs := []OutputRun{}
	for _, o := range outputs {
		commit, err := delta.Open(j.Lakehouse, o.Name, j.TableOptions...).WriteRows(ctx, w, o.Fields, o.Rows)
		if err != nil {
			return nil, fmt.Errorf("write analytics %s: %w", o.Name, err)
		}
		runs = append(runs, OutputRun{Name: o.Name, Written: commit.Rows, Version: commit.Version})
	}
	return runs, nil
}

// topicOf returns the Kafka topic of one table, <uid>.<table>.
func topicOf(uid string, table record.Table) string { return uid + "." + string(table) }
