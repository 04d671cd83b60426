//! The templates letters and printable remittances are rendered with
//! (`minijinja`, Jinja2 syntax): the defaults are compiled into the binary
//! (`templates/letter.html`, `templates/eob.html`), and a practice may
//! replace either with its own file (`--template FILE`). A replacement is
//! compiled when it is loaded, so a syntax error stops a command before it
//! writes anything.
//!
//! Values are HTML-escaped whatever the file is called. A name the view
//! does not have is an error when printed (`{{ claim.claimid }}` would
//! otherwise print nothing on every letter) but may be tested with
//! `{% if %}`. Errors name the template and line and the kind of problem,
//! never a value: the values are PHI.

use std::path::Path;

use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use super::pdf::{self, MarkupError, PageSize};

/// The default letter template.
pub const LETTER_TEMPLATE: &str = include_str!("../../templates/letter.html");
/// The default printable-remittance template.
pub const EOB_TEMPLATE: &str = include_str!("../../templates/eob.html");

const LETTER: &str = "letter";
const EOB: &str = "eob";

/// Why a template could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The file could not be read.
    #[error("cannot read template {file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The template does not compile, or failed while rendering.
    #[error("template {template}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Template {
        /// The template's file (or `built-in letter`).
        template: String,
        /// Its line, when known.
        line: Option<usize>,
        /// The kind of problem (never a value).
        message: String,
    },
    /// The rendered HTML cannot be laid out as a PDF.
    #[error("template {template}: {source}")]
    Markup {
        /// The template.
        template: String,
        /// Where the markup is broken.
        #[source]
        source: MarkupError,
    },
}

/// The two templates in use.
pub struct Templates {
    env: Environment<'static>,
    letter_name: String,
    eob_name: String,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("letter", &self.letter_name)
            .field("eob", &self.eob_name)
            .finish()
    }
}

impl Default for Templates {
    fn default() -> Self {
        Templates::builtin()
    }
}

impl Templates {
    /// The built-in templates.
    pub fn builtin() -> Self {
        let mut env = Environment::new();
        // Every template writes HTML, whatever its file is called.
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.add_template(LETTER, LETTER_TEMPLATE)
            .expect("the built-in letter template compiles (tested)");
        env.add_template(EOB, EOB_TEMPLATE)
            .expect("the built-in remittance template compiles (tested)");
        Templates {
            env,
            letter_name: "built-in letter".into(),
            eob_name: "built-in remittance".into(),
        }
    }

    /// These templates with the letter template read from `path`.
    pub fn with_letter_file(mut self, path: &Path) -> Result<Self, TemplateError> {
        self.letter_name = self.replace(LETTER, path)?;
        Ok(self)
    }

    /// These templates with the remittance template read from `path`.
    pub fn with_eob_file(mut self, path: &Path) -> Result<Self, TemplateError> {
        self.eob_name = self.replace(EOB, path)?;
        Ok(self)
    }

    /// These templates with the letter template `source` (named `name` in
    /// errors).
    pub fn with_letter_source(mut self, name: &str, source: String) -> Result<Self, TemplateError> {
        self.add(LETTER, name, source)?;
        self.letter_name = name.to_string();
        Ok(self)
    }

    fn replace(&mut self, slot: &'static str, path: &Path) -> Result<String, TemplateError> {
        let name = path.display().to_string();
        let source = std::fs::read_to_string(path).map_err(|source| TemplateError::Io {
            file: name.clone(),
            source,
        })?;
        self.add(slot, &name, source)?;
        Ok(name)
    }

    fn add(&mut self, slot: &'static str, name: &str, source: String) -> Result<(), TemplateError> {
        self.env
            .add_template_owned(slot, source)
            .map_err(|e| template_error(name, &e))
    }

    /// Renders the letter template with `view`.
    pub fn letter_html(&self, view: &impl Serialize) -> Result<String, TemplateError> {
        self.render(LETTER, &self.letter_name, view)
    }

    /// Renders the remittance template with `view`.
    pub fn eob_html(&self, view: &impl Serialize) -> Result<String, TemplateError> {
        self.render(EOB, &self.eob_name, view)
    }

    /// Lays out HTML the letter template produced as a PDF.
    pub fn letter_pdf(&self, html: &str, size: PageSize) -> Result<Vec<u8>, TemplateError> {
        pdf::render(html, size).map_err(|source| TemplateError::Markup {
            template: self.letter_name.clone(),
            source,
        })
    }

    /// Lays out HTML the remittance template produced as a PDF.
    pub fn eob_pdf(&self, html: &str, size: PageSize) -> Result<Vec<u8>, TemplateError> {
        pdf::render(html, size).map_err(|source| TemplateError::Markup {
            template: self.eob_name.clone(),
            source,
        })
    }

    fn render(
        &self,
        slot: &str,
        name: &str,
        view: &impl Serialize,
    ) -> Result<String, TemplateError> {
        let template = self
            .env
            .get_template(slot)
            .map_err(|e| template_error(name, &e))?;
        template
            .render(Value::from(Serde(view)))
            .map_err(|e| template_error(name, &e))
    }
}

/// The error, with its detail only where the detail quotes the template
/// (syntax, unknown names), never where it could quote a value.
fn template_error(name: &str, e: &minijinja::Error) -> TemplateError {
    use minijinja::ErrorKind as K;
    let safe_detail = matches!(
        e.kind(),
        K::SyntaxError | K::UndefinedError | K::UnknownFilter | K::UnknownTest | K::UnknownFunction
    );
    let message = match e.detail() {
        Some(detail) if safe_detail => format!("{}: {detail}", e.kind()),
        _ => e.kind().to_string(),
    };
    TemplateError::Template {
        template: name.to_string(),
        line: e.line(),
        message,
    }
}
