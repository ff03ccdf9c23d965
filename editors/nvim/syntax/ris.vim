" Vim syntax file
" Language: RIS bibliography (.ris)
" A tag line is `XY  - value` (XY: uppercase letter, then uppercase letter or digit);
" lines without a tag continue the previous value and stay unhighlighted.

if exists('b:current_syntax')
  finish
endif

" Later definitions win at the same position, so TY and ER come after the generic tag.
syn match risTag     /^[A-Z][A-Z0-9]\ze  -\%( \|$\)/ nextgroup=risSeparator
syn match risTypeTag /^TY\ze  -\%( \|$\)/            nextgroup=risTypeSeparator
syn match risEnd     /^ER\ze  -\%( \|$\)/            nextgroup=risSeparator

syn match risSeparator     /  - \=/ contained
syn match risTypeSeparator /  - \=/ contained nextgroup=risType skipwhite
syn match risType          /[A-Za-z0-9]\+/ contained

hi def link risTag           Identifier
hi def link risTypeTag       Identifier
hi def link risSeparator     Delimiter
hi def link risTypeSeparator Delimiter
hi def link risType          Type
hi def link risEnd           Keyword

let b:current_syntax = 'ris'
