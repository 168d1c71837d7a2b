package local

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// timetable turns the DAG's cron schedule into Airflow's data intervals: a scheduled run covers
// [previous tick, tick) and is created at the tick. Every time is UTC, Airflow's default zone.
type timetable struct {
	cron cron.Schedule
}

// interval is a run's data interval, [start, end).
type interval struct {
	start, end time.Time
}

// maxLookBack bounds the search for a previous tick: robfig/cron looks five years ahead, so a
// schedule with no tick in ten years back has none at all.
const maxLookBack = 10 * 365 * 24 * time.Hour

// scheduleHelp says what dag.schedule takes.
const scheduleHelp = "use a cron expression of 5 fields (minute hour day month weekday) or @hourly, @daily, @weekly, @monthly, @quarterly, @yearly"

// newTimetable parses a 5-field cron expression or a descriptor such as @daily, as the deployed
// DAG's Airflow reads it: in UTC, with Airflow's @quarterly and without robfig/cron's @every,
// which Airflow's cron schedules do not have.
func newTimetable(schedule string) (timetable, error) {
	invalid := func(why string) error {
		return fmt.Errorf("dag.schedule %q is not valid: %s: %s", schedule, why, scheduleHelp)
	}
	switch {
	case strings.HasPrefix(schedule, "@every"):
		return timetable{}, invalid("Airflow's cron schedules have no @every")
	case strings.HasPrefix(schedule, "TZ=") || strings.HasPrefix(schedule, "CRON_TZ="):
		return timetable{}, invalid("the DAG runs in UTC and takes no time zone")
	}
	spec := schedule
	if spec == "@quarterly" {
		spec = "0 0 1 */3 *"
	}
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return timetable{}, invalid(err.Error())
	}
	return timetable{cron: s}, nil
}

// next returns the first tick after t.
func (tt timetable) next(t time.Time) time.Time { return tt.cron.Next(t.UTC()) }

// alignNext returns t if it is a tick, else the first tick after it.
func (tt timetable) alignNext(t time.Time) time.Time { return tt.next(t.Add(-time.Nanosecond)) }

// prev returns the last tick before t, or the zero time if there is none within maxLookBack.
func (tt timetable) prev(t time.Time) time.Time {
	t = t.UTC()
	for back := time.Minute; back <= maxLookBack; back *= 2 {
		tick := tt.next(t.Add(-back))
		if tick.IsZero() || !tick.Before(t) {
			continue
		}
		for n := tt.next(tick); n.Before(t); n = tt.next(n) {
			tick = n
		}
		return tick
	}
	return time.Time{}
}

// alignPrev returns t if it is a tick, else the last tick before it.
func (tt timetable) alignPrev(t time.Time) time.Time { return tt.prev(t.Add(time.Nanosecond)) }

// nextScheduled returns the data interval of the next scheduled run, as Airflow's cron timetable
// does: after the latest scheduled run's interval (lastEnd; zero if none), never starting before
// startDate, and with catchup off never before the latest interval that has ended by now.
func (tt timetable) nextScheduled(lastEnd, startDate, now time.Time, catchup bool) interval {
	start := tt.alignNext(startDate)
	if !lastEnd.IsZero() && lastEnd.After(start) {
		start = lastEnd
	}
	if !catchup {
		if latest := tt.prev(tt.alignPrev(now)); latest.After(start) {
			start = latest
		}
	}
	return interval{start: start, end: tt.next(start)}
}

// manual returns the data interval of a run triggered for logicalDate: the latest whole interval
// that ended by then, as Airflow infers a manual run's interval.
func (tt timetable) manual(logicalDate time.Time) interval {
	end := tt.alignPrev(logicalDate)
	return interval{start: tt.prev(end), end: end}
}
