// Package api holds the wire types of the Dashboard Favorite List REST API and the paths it is
// served under. The mock, the harness and a user's own code share these so that there is one
// definition of what travels on the wire.
package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Paths of the six documented endpoints, relative to the API host.
const (
	ListPath                 = "/dashboard/v1/user-favorite-list"
	AddFavoritePath          = ListPath + "/add-favorite"
	DeleteFavoritePathPrefix = ListPath + "/delete-favorite/"

	// SDKPathPrefix is what the official SDK puts before every path when it talks to a host other
	// than the public one (facts.md).
	SDKPathPrefix = "/_api"
)

// ManageDashboardScope is the permission every method of the API requires (facts.md).
const ManageDashboardScope = "SCOPE.DC-OS.MANAGE_DASHBOARD"

// Favorite is one favorite dashboard page.
type Favorite struct {
	ID          string `json:"id,omitempty"`
	PageID      string `json:"pageId,omitempty"`
	Title       string `json:"title,omitempty"`
	RelativeURL string `json:"relativeUrl,omitempty"`
}

// FavoriteList is a Wix user's list of favorite dashboard pages.
type FavoriteList struct {
	ID          string   `json:"id,omitempty"`
	Revision    Revision `json:"revision,omitempty"`
	CreatedDate string   `json:"createdDate,omitempty"`
	UpdatedDate string   `json:"updatedDate,omitempty"`
	// omitzero: a nil slice is left out of a request, an empty one is sent as [].
	Favorites []Favorite `json:"favorites,omitzero"`
}

// ListEnvelope is the body of every response that carries a list, and of the create and update
// requests.
type ListEnvelope struct {
	FavoriteList *FavoriteList `json:"favoriteList,omitempty"`
}

// FavoriteEnvelope is the body of the add-favorite request.
type FavoriteEnvelope struct {
	Favorite *Favorite `json:"favorite,omitempty"`
}

// Revision is the list's int64 revision. The API sends it as a JSON string ("2"); the docs' PATCH
// sample sends a number, so decoding takes both, and encoding always writes the string form.
type Revision int64

// MarshalJSON writes the revision as a JSON string, as the API does.
func (r Revision) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(r), 10) + `"`), nil
}

// UnmarshalJSON reads a revision sent as a JSON string of digits or as a JSON integer.
func (r *Revision) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*r = 0
		return nil
	}
	s := string(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("revision %s is not an int64 (as a string or a number)", b)
	}
	*r = Revision(n)
	return nil
}

// ErrorBody is Wix's error body: a message plus either an application error or a validation
// error (facts.md, "About Errors").
type ErrorBody struct {
	Message string        `json:"message"`
	Details *ErrorDetails `json:"details,omitempty"`
}

// ErrorDetails holds exactly one of its fields.
type ErrorDetails struct {
	ApplicationError *ApplicationError `json:"applicationError,omitempty"`
	ValidationError  *ValidationError  `json:"validationError,omitempty"`
}

// ApplicationError is a business error with a code such as NOT_FOUND.
type ApplicationError struct {
	Code        string         `json:"code"`
	Description string         `json:"description"`
	Data        map[string]any `json:"data,omitempty"`
}

// ValidationError lists the fields of a request that broke a rule.
type ValidationError struct {
	FieldViolations []FieldViolation `json:"fieldViolations"`
}

// FieldViolation is one broken rule on one field.
type FieldViolation struct {
	Field        string         `json:"field"`
	Description  string         `json:"description"`
	ViolatedRule string         `json:"violatedRule,omitempty"`
	RuleName     string         `json:"ruleName,omitempty"`
	Data         map[string]any `json:"data,omitempty"`
}

// Application error codes Wix names (facts.md).
const (
	CodeUnauthenticated   = "UNAUTHENTICATED"
	CodePermissionDenied  = "PERMISSION_DENIED"
	CodeNotFound          = "NOT_FOUND"
	CodeAlreadyExists     = "ALREADY_EXISTS"
	CodeAborted           = "ABORTED"
	CodeResourceExhausted = "RESOURCE_EXHAUSTED"
)
