;;; ris-mode.el --- Major mode for RIS bibliography files  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 ris-lsp contributors

;; Author: ris-lsp contributors
;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: bib, languages
;; URL: https://github.com/ris-lsp/ris-lsp
;; SPDX-License-Identifier: MIT

;; This file is not part of GNU Emacs.

;;; Commentary:

;; Editing support for RIS (Research Information Systems) bibliography
;; files, `.ris'.  A RIS line is `XY  - value', where XY is an uppercase
;; letter followed by an uppercase letter or a digit; `TY  - ' opens a
;; record and `ER  - ' closes it.  Lines without a tag continue the
;; previous value.
;;
;; Font lock covers the tag codes, the `  - ' separator, the reference
;; type after TY and the ER line.  `fill-paragraph' and Auto Fill mode
;; do nothing in a RIS buffer, so a tag line is never joined to another.  Diagnostics, completion and hover
;; come from the ris-lsp language server through Eglot:
;;
;;   (require 'ris-mode)
;;   (add-hook 'ris-mode-hook #'eglot-ensure)

;;; Code:

(defgroup ris nil
  "Editing RIS bibliography files."
  :group 'text
  :prefix "ris-")

(defcustom ris-lsp-program "ris-lsp"
  "The ris-lsp language server executable that Eglot starts."
  :type 'string)

(defface ris-tag-face '((t :inherit font-lock-keyword-face))
  "Face for RIS tag codes such as AU or T2.")

(defface ris-separator-face '((t :inherit shadow))
  "Face for the \"  - \" after a tag code.")

(defface ris-type-face '((t :inherit font-lock-type-face))
  "Face for the reference type after TY, such as JOUR.")

(defface ris-end-face '((t :inherit font-lock-builtin-face))
  "Face for the ER tag that closes a record.")

(defconst ris-font-lock-keywords
  ;; TY and ER come first: font lock does not re-fontify matched text.
  '(("^\\(TY\\)\\(  -\\(?: \\|$\\)\\)[ \t]*\\([A-Za-z0-9]+\\)?"
     (1 'ris-tag-face) (2 'ris-separator-face) (3 'ris-type-face nil t))
    ("^\\(ER\\)\\(  -\\(?: \\|$\\)\\)"
     (1 'ris-end-face) (2 'ris-separator-face))
    ("^\\([A-Z][A-Z0-9]\\)\\(  -\\(?: \\|$\\)\\)"
     (1 'ris-tag-face) (2 'ris-separator-face)))
  "Font lock keywords for `ris-mode'.")

(defun ris-fill-paragraph (&optional _justify)
  "Leave the RIS text as it is: filling would join tag lines.
Every tag line must stay on a line of its own (a joined line loses its
tag), and filling would also squeeze the two spaces of the `  - '
separator.  Used as `fill-paragraph-function'; returns t, meaning done."
  t)

;;;###autoload
(define-derived-mode ris-mode text-mode "RIS"
  "Major mode for RIS bibliography files.
\[fill-paragraph] and Auto Fill mode leave the text alone: a RIS tag line
must stay on its own line."
  (setq-local font-lock-defaults '(ris-font-lock-keywords t))
  ;; Derived from text-mode for its syntax and hooks, but never filled: a user's
  ;; `text-mode-hook' often turns on Auto Fill, which then does nothing here.
  (setq-local fill-paragraph-function #'ris-fill-paragraph)
  (setq-local normal-auto-fill-function #'ignore)
  (setq-local auto-fill-function nil))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.ris\\'" . ris-mode))

(defun ris-mode--eglot-contact (_interactive)
  "The Eglot contact for `ris-mode': the command `ris-lsp-program'."
  (list ris-lsp-program))

(with-eval-after-load 'eglot
  (defvar eglot-server-programs)
  (add-to-list 'eglot-server-programs '(ris-mode . ris-mode--eglot-contact)))

(provide 'ris-mode)
;;; ris-mode.el ends here
