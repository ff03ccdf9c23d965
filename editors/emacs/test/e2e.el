;;; e2e.el --- End-to-end test: ris-mode + Eglot against ris-lsp  -*- lexical-binding: t; -*-

;;; Commentary:

;; From the repository root, with ris-lsp on PATH:
;;   emacs --batch -l editors/emacs/test/e2e.el
;; No -Q: Debian's site start-up is what puts the elpa-eglot package on the load path.
;; Prints one line per check, then "N passed, M failed"; exits non-zero on failure.

;;; Code:

(require 'cl-lib)
(require 'eglot)
(require 'flymake)

(defconst e2e-dir (file-name-directory (or load-file-name buffer-file-name)))
(load (expand-file-name "../ris-mode.el" e2e-dir) nil t)

(defvar e2e-passed 0)
(defvar e2e-failed 0)

(defun e2e-say (line)
  "Print LINE on standard output."
  (princ (concat line "\n")))

(defun e2e-check (name ok &optional got)
  "Count the check NAME as passed when OK; else print GOT."
  (if ok
      (progn (cl-incf e2e-passed) (e2e-say (concat "ok   " name)))
    (cl-incf e2e-failed)
    (e2e-say (format "FAIL %s\n     got: %S" name got))))

(defun e2e-wait (pred &optional seconds)
  "Process server output until PRED is non-nil or SECONDS (10) pass; return PRED."
  (let ((deadline (+ (float-time) (or seconds 10))))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

(defun e2e-diagnostics (code)
  "Flymake diagnostics of the buffer for CODE, as (LINE . TYPE) pairs."
  (flymake-start)                       ; hands Eglot's latest diagnostics to Flymake
  (cl-loop for d in (flymake-diagnostics)
           when (string-match-p (regexp-quote (format "[%s]" code)) (flymake-diagnostic-text d))
           collect (cons (line-number-at-pos (flymake-diagnostic-beg d))
                         (flymake-diagnostic-type d))))

(defun e2e-goto (line &optional column)
  "Move to 1-based LINE and COLUMN, or to the end of LINE without COLUMN."
  (goto-char (point-min))
  (forward-line (1- line))
  (if column (forward-char column) (end-of-line)))

(defun e2e-completions ()
  "Completion candidates at point, as their first word (a tag or a type code)."
  (let ((capf (eglot-completion-at-point)))
    (mapcar (lambda (c) (car (split-string c)))
            (and capf (all-completions "" (nth 2 capf))))))

(defun e2e-face-at (line column)
  "The face at 1-based LINE and 0-based COLUMN."
  (e2e-goto line column)
  (get-text-property (point) 'face))

(defun e2e-fill-checks ()
  "Filling must never join or break RIS tag lines."
  (with-temp-buffer
    (let ((text "TY  - JOUR\nAU  - Issa, Hamdi\nTI  - Benefiting the NHS through innovation\nER  - \n"))
      (insert text)
      ;; As a user whose text-mode-hook turns on Auto Fill has it.
      (let ((text-mode-hook (list #'auto-fill-mode)))
        (ris-mode))
      (setq fill-column 20)
      (e2e-goto 2 3)
      (fill-paragraph)
      (e2e-check "fill-paragraph (M-q) leaves the tag lines as they are"
                 (equal (buffer-string) text) (buffer-string))
      ;; Type past fill-column at the end of the TI line, as a person would.
      (e2e-goto 3)
      (dolist (c (string-to-list " and beyond"))
        (let ((last-command-event c))
          (self-insert-command 1)))
      (e2e-check "Auto Fill (on from text-mode-hook) never breaks a tag line"
                 (equal (buffer-string)
                        (replace-regexp-in-string "innovation" "innovation and beyond" text))
                 (buffer-string)))))

(defun e2e-run (dir)
  "Run the scenario on a copy of the fixture in DIR."
  (let ((file (expand-file-name "records.ris" dir)))
    (call-process "git" nil nil nil "init" "-q" dir)
    (copy-file (expand-file-name "../../nvim/test/fixtures/records.ris" e2e-dir) file)
    (find-file file)
    (e2e-check "ris-lsp is on PATH" (executable-find "ris-lsp") (getenv "PATH"))
    (e2e-check ".ris files open in ris-mode" (eq major-mode 'ris-mode) major-mode)

    (font-lock-ensure)
    (let ((faces (list (e2e-face-at 1 0) (e2e-face-at 1 2) (e2e-face-at 1 6)
                       (e2e-face-at 2 0) (e2e-face-at 6 0))))
      (e2e-check "font lock: tag, separator, TY value, ER"
                 (equal faces '(ris-tag-face ris-separator-face ris-type-face
                                ris-tag-face ris-end-face))
                 faces))

    (let ((contact (eglot--guess-contact)))
      (e2e-check "eglot-server-programs maps ris-mode to (\"ris-lsp\")"
                 (equal (nth 3 contact) '("ris-lsp")) contact)
      (apply #'eglot contact))
    (let ((server (e2e-wait #'eglot-current-server)))
      (e2e-check "Eglot connects to the server" server)
      (when server
        ;; The unclosed record starts on line 8, the unknown type is on line 16 (1-based).
        (e2e-wait (lambda () (and (e2e-diagnostics "RIS010") (e2e-diagnostics "RIS020"))))
        (e2e-check "RIS010 (missing ER) is an eglot-error on the unclosed record's TY line"
                   (equal (e2e-diagnostics "RIS010") '((8 . eglot-error)))
                   (e2e-diagnostics "RIS010"))
        (e2e-check "RIS020 (unknown type) is an eglot-error on line 16"
                   (equal (e2e-diagnostics "RIS020") '((16 . eglot-error)))
                   (e2e-diagnostics "RIS020"))

        (e2e-goto 2 0)
        (let* ((hover (jsonrpc-request server :textDocument/hover
                                       (eglot--TextDocumentPositionParams)))
               (text (format "%S" (plist-get hover :contents))))
          (e2e-check "hover on AU mentions \"Author\"" (string-match-p "Author" text) text))

        (e2e-goto 1)
        (let ((types (e2e-completions)))
          (e2e-check "completion after \"TY  - \" offers JOUR" (member "JOUR" types) types))

        ;; Close the record: its RIS010 goes away once the server has seen the edit.
        (e2e-goto 10)
        (insert "\nER  - ")
        (eglot--signal-textDocument/didChange)
        (e2e-check "inserting the missing ER line clears RIS010"
                   (e2e-wait (lambda () (null (e2e-diagnostics "RIS010"))))
                   (e2e-diagnostics "RIS010"))

        ;; A new empty line inside the first record.
        (e2e-goto 2 0)
        (insert "\n")
        (forward-line -1)
        (eglot--signal-textDocument/didChange)
        (let ((tags (e2e-completions)))
          (e2e-check "completion-at-point at a line start offers AU and TI"
                     (and (member "AU" tags) (member "TI" tags)) tags))

        ;; What `eglot-shutdown' sends (shutdown and exit with "params": null), waiting for
        ;; the server to exit by itself before its cleanup, so that the exit status is the
        ;; server's own.
        (let ((process (jsonrpc--process server)))
          (setf (eglot--shutdown-requested server) t)
          (let ((answer (condition-case err
                            (progn (jsonrpc-request server :shutdown nil) 'answered)
                          (jsonrpc-error (cdr err)))))
            (e2e-check "the server answers Eglot's shutdown request"
                       (eq answer 'answered) answer))
          (jsonrpc-notify server :exit nil)
          (e2e-wait (lambda () (not (process-live-p process))))
          (e2e-check "the server exits with status 0 on the exit notification"
                     (and (eq (process-status process) 'exit)
                          (zerop (process-exit-status process)))
                     (if (process-live-p process)
                         "still running 10 s after the exit notification"
                       (list (process-status process) (process-exit-status process))))
          ;; Then what `eglot-shutdown' does last: `jsonrpc-shutdown' deletes the process
          ;; until its sentinel has run.  Eglot's own file watches (the server registers
          ;; `**/*.ris') can hold that sentinel back in batch Emacs after the process exits.
          (jsonrpc-shutdown server)
          (e2e-check "Eglot no longer manages the buffer"
                     (e2e-wait (lambda () (not (eglot-current-server))))))))
    (set-buffer-modified-p nil)))

(let ((dir (make-temp-file "ris-e2e" t)))
  (condition-case err
      (progn (e2e-fill-checks)
             (e2e-run dir))
    (error (e2e-check "the test script ran to the end" nil err)))
  (delete-directory dir t)
  (e2e-say (format "%d passed, %d failed" e2e-passed e2e-failed))
  (kill-emacs (if (zerop e2e-failed) 0 1)))

;;; e2e.el ends here
