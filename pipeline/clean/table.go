package clean

// The rules of SPEC §4 as a table, for what must apply them outside this package, such as the
// PySpark notebooks pipeline/assets renders: the cleaner above and the notebooks then take the
// same literals from one place.

// Placeholder is a whole raw value of one column that cleaning turns into null.
type Placeholder struct {
	Column string
	Value  string
}

// PinPlaceholders returns the pin placeholders in the column order of the cleaned pin table.
func PinPlaceholders() []Placeholder {
	return []Placeholder{
		{"title", placeholderTitle},
		{"description", placeholderDescription},
		{"follower_count", placeholderFollowers},
		{"poster_name", placeholderPosterName},
		{"tag_list", placeholderTagList},
		{"image_src", placeholderImageSrc},
	}
}

// FollowerSuffix is a suffix of follower_count and the factor it stands for.
type FollowerSuffix struct {
	Suffix string
	Scale  int64
}

// FollowerSuffixes returns the suffixes follower_count may end with: k ×1,000 and M ×1,000,000.
func FollowerSuffixes() []FollowerSuffix {
	return []FollowerSuffix{{"k", 1_000}, {"M", 1_000_000}}
}

// SaveLocationPrefix is what cleaning strips from the start of save_location, trailing space included.
const SaveLocationPrefix = saveLocationPrefix
