// The settings editor's script (GET /assets/settings-editor.js). The page works without it: the
// "Preview" button posts the form. With it, the preview follows typing (a pause of 400 ms, then a
// fetch of POST /courses/{id}/settings/preview with the form as it stands), problems appear next to
// their fields as they are found, and each placeholder becomes a button that inserts it at the cursor.
(function () {
  'use strict';
  var form = document.getElementById('settings-form');
  if (!form) {
    return;
  }
  var previewUrl = form.getAttribute('data-preview');
  var fields = form.querySelectorAll('[data-template]');
  var last = fields.length > 0 ? fields[0] : null;
  fields.forEach(function (field) {
    field.addEventListener('focus', function () { last = field; });
  });

  document.querySelectorAll('[data-placeholder]').forEach(function (code) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'ph';
    button.textContent = code.textContent;
    button.setAttribute('aria-label', form.getAttribute('data-insert-label') + ' ' + code.textContent);
    button.addEventListener('click', function () {
      if (!last) {
        return;
      }
      var start = last.selectionStart, end = last.selectionEnd;
      last.value = last.value.slice(0, start) + code.textContent + last.value.slice(end);
      last.selectionStart = last.selectionEnd = start + code.textContent.length;
      last.focus();
      schedule();
    });
    code.replaceWith(button);
  });

  var timer = null;
  var sequence = 0;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);

  function refresh() {
    var body = new URLSearchParams(new FormData(form));
    body.set('action', 'preview');
    var mine = ++sequence;
    form.setAttribute('aria-busy', 'true');
    fetch(previewUrl, { method: 'POST', body: body, headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (mine === sequence) {
          show(answer);
        }
      })
      .catch(function () { /* the Preview button still works */ })
      .finally(function () {
        if (mine === sequence) {
          form.removeAttribute('aria-busy');
        }
      });
  }

  function show(answer) {
    var byField = {};
    (answer.problems || []).forEach(function (problem) {
      if (problem.field) {
        byField[problem.field] = (byField[problem.field] ? byField[problem.field] + ' ' : '') + problem.message;
      }
    });
    form.querySelectorAll('[data-error-for]').forEach(function (span) {
      var name = span.getAttribute('data-error-for');
      var field = form.querySelector('[name="' + name + '"]');
      span.textContent = byField[name] || '';
      if (field) {
        var describedBy = (field.getAttribute('aria-describedby') || '').split(' ').filter(function (id) { return id && id !== span.id; });
        if (byField[name]) {
          field.setAttribute('aria-invalid', 'true');
          describedBy.push(span.id);
        } else {
          field.removeAttribute('aria-invalid');
        }
        if (describedBy.length > 0) {
          field.setAttribute('aria-describedby', describedBy.join(' '));
        } else {
          field.removeAttribute('aria-describedby');
        }
      }
    });
    var problems = document.getElementById('preview-problems');
    var preview = answer.preview;
    if (problems) {
      problems.textContent = preview ? '' : (answer.previewProblems || []).join(' ');
    }
    if (!preview) {
      return;
    }
    var about = document.getElementById('preview-about');
    if (about) {
      about.textContent = preview.about;
    }
    document.getElementById('preview-subject').textContent = preview.subject;
    document.getElementById('preview-html').srcdoc = preview.html;
    document.getElementById('preview-text').textContent = preview.text;
  }
})();
