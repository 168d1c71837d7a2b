package clean

import "github.com/pintui/pintui/pipeline/record"

// action is one thing a rule can do to a value; a report counts them per table and column.
type action uint8

const (
	// actMissing: the key was absent, the column is null.
	actMissing action = iota
	// actPlaceholder: a whole-value placeholder became null.
	actPlaceholder
	// actFromNumber: a string column arrived as a JSON number and keeps its literal text.
	actFromNumber
	// actFromBool: a string column arrived as a JSON bool and keeps `true` or `false`.
	actFromBool
	// actFromString: a numeric column arrived as a string holding a number.
	actFromString
	// actFromFloat: an integer column arrived as a number with a zero fraction or an exponent.
	actFromFloat
	// actInvalid: the value means nothing for its column and became null.
	actInvalid
	// actK and actM: follower counts written with a thousands or millions suffix.
	actK
	actM
	// actPrefix: save_location lost its `Local save in ` prefix.
	actPrefix
	// actISOT: a datetime came in the ISO form with a `T`.
	actISOT
	// actZone: a datetime carried a zone and was converted to UTC.
	actZone
	// actDateOnly: a datetime held only a date and reads as midnight.
	actDateOnly
	// actFromInd: a pin's id came under `ind` instead of `index`.
	actFromInd
	// actIncomplete: a derived column (user_name, coordinates) is null because a part is null.
	actIncomplete
	// actExtraKey: a key that is no column of the table was ignored.
	actExtraKey
	// actDuplicateKey: a key appeared twice in one object and the last value was kept.
	actDuplicateKey
	numActions
)

var actionNames = [numActions]string{"missing", "placeholder", "from_number", "from_bool",
	"from_string", "from_float", "invalid", "k", "M", "prefix", "iso_t", "zone", "date_only",
	"from_ind", "incomplete", "extra_key", "duplicate_key"}

// Column slots of each table's tally: the raw columns in SELECT * order, then derived columns,
// then one slot for row-level actions.
const (
	pinIndex = iota
	pinUniqueID
	pinTitle
	pinDescription
	pinPosterName
	pinFollowerCount
	pinTagList
	pinIsImageOrVideo
	pinImageSrc
	pinDownloaded
	pinSaveLocation
	pinCategory
	pinRow
	pinSlots
)

const (
	geoInd = iota
	geoTimestamp
	geoLatitude
	geoLongitude
	geoCountry
	geoCoordinates
	geoRow
	geoSlots
)

const (
	userInd = iota
	userFirstName
	userLastName
	userAge
	userDateJoined
	userUserName
	userRow
	userSlots
)

const maxSlots = pinSlots

// slotNames names each table's tally slots; the row slot has no column name.
var slotNames = map[record.Table][]string{
	record.TablePin:  append(append([]string{}, record.RawPinColumns...), ""),
	record.TableGeo:  append(append([]string{}, record.RawGeoColumns...), "coordinates", ""),
	record.TableUser: append(append([]string{}, record.RawUserColumns...), "user_name", ""),
}

// tally counts actions per column slot; it is a plain array so counting costs no map lookups.
type tally [maxSlots][numActions]int64

// addTo adds the non-zero counts to rules under names like `pin.follower_count.k`.
func (t *tally) addTo(table record.Table, rules map[string]int64) {
	names := slotNames[table]
	for slot, name := range names {
		for a, n := range t[slot] {
			if n == 0 {
				continue
			}
			key := string(table) + "." + actionNames[a]
			if name != "" {
				key = string(table) + "." + name + "." + actionNames[a]
			}
			rules[key] += n
		}
	}
}
