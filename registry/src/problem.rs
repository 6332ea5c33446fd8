//! A finding about one field of one input row: what validation, the importers and the
//! workflow report. It sits below everything else in the crate (the error type carries a list of
//! them), so it depends on nothing.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// One finding about one field of one input row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// 1-based row (line) number in the input, when the input has rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    pub field: String,
    pub message: String,
    pub severity: Severity,
    /// The spreadsheet cell at fault (`权力清单!E12`), for rows read from a sheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
}

impl Problem {
    pub fn error(field: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            row: None,
            field: field.into(),
            message: message.into(),
            severity: Severity::Error,
            cell: None,
        }
    }

    pub fn warning(field: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(field, message)
        }
    }

    pub fn at_row(mut self, row: usize) -> Problem {
        self.row = Some(row);
        self
    }

    /// At a spreadsheet cell: shown as `权力清单!E12: …` instead of row and field.
    pub fn at_cell(mut self, cell: impl Into<String>) -> Problem {
        self.cell = Some(cell.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(cell) = &self.cell {
            // Sheets are filled in by people who read Chinese.
            let tag = match self.severity {
                Severity::Warning => "提示：",
                Severity::Error => "",
            };
            return write!(f, "{cell}: {tag}{}", self.message);
        }
        if let Some(row) = self.row {
            write!(f, "row {row}: ")?;
        }
        let tag = match self.severity {
            Severity::Warning => "warning: ",
            Severity::Error => "",
        };
        if self.field.is_empty() {
            write!(f, "{tag}{}", self.message)
        } else {
            write!(f, "{}: {tag}{}", self.field, self.message)
        }
    }
}
