/* The self-check, enhanced. Without this file the page still shows every question and a guide
   that gives the same result. This file never stores answers, never changes the URL and never
   makes a network request: answers live only in the radio buttons on this page. */
(function () {
  "use strict";

  var quiz = document.getElementById("quiz");
  var dataBlock = document.getElementById("quiz-data");
  if (!quiz || !dataBlock) {
    return;
  }
  var data = JSON.parse(dataBlock.textContent);

  // The same rules as the build's Python evaluator; a test compares both on every combination.
  function matches(when, answers) {
    return Object.keys(when).every(function (question) {
      return when[question].indexOf(answers[question]) !== -1;
    });
  }

  function evaluate(answers) {
    for (var i = 0; i < data.rules.length; i++) {
      if (matches(data.rules[i].when, answers)) {
        return data.rules[i].outcome;
      }
    }
    return null;
  }

  function notesFor(answers) {
    var found = [];
    data.notes.forEach(function (note, index) {
      if (matches(note.when, answers)) {
        found.push(index);
      }
    });
    return found;
  }

  window.IOPQuiz = { evaluate: evaluate, notesFor: notesFor };

  function byId(id) {
    return document.getElementById(id);
  }

  function each(selector, callback) {
    Array.prototype.forEach.call(quiz.querySelectorAll(selector), callback);
  }

  var questions = byId("quiz-questions");
  var results = byId("quiz-results");
  var resultsHeading = byId("quiz-results-heading");
  var errors = byId("quiz-errors");
  var errorList = byId("quiz-error-list");
  var alertBox = byId("quiz-alert");
  var notes = byId("quiz-notes");
  var actions = byId("quiz-actions");
  var submit = byId("quiz-submit");
  var guide = byId("quiz-guide");

  function currentAnswers() {
    var answers = {};
    data.questions.forEach(function (question) {
      var checked = quiz.querySelector('input[name="q-' + question.id + '"]:checked');
      if (checked) {
        answers[question.id] = checked.value;
      }
    });
    return answers;
  }

  function showQuestions() {
    results.hidden = true;
    questions.hidden = false;
  }

  function clearErrors() {
    errors.hidden = true;
    errorList.textContent = "";
    each(".quiz-question", function (fieldset) {
      fieldset.classList.remove("quiz-question--error");
      byId("error-" + fieldset.getAttribute("data-question")).hidden = true;
    });
  }

  function showErrors(missing) {
    errorList.textContent = "";
    missing.forEach(function (question) {
      var number = data.questions.indexOf(question) + 1;
      var first = quiz.querySelector('input[name="q-' + question.id + '"]');
      var link = document.createElement("a");
      link.href = "#" + first.id;
      link.textContent = quiz.getAttribute("data-error-missing").replace("{number}", String(number));
      // Focus the answer without putting anything in the address bar.
      link.addEventListener("click", function (event) {
        event.preventDefault();
        first.focus();
      });
      var item = document.createElement("li");
      item.appendChild(link);
      errorList.appendChild(item);
      byId("question-" + question.id).classList.add("quiz-question--error");
      byId("error-" + question.id).hidden = false;
    });
    errors.hidden = false;
    errors.focus();
  }

  function showResult(answers) {
    var outcome = evaluate(answers);
    var shownNotes = notesFor(answers);
    each("[data-outcome]", function (element) {
      element.hidden = element.getAttribute("data-outcome") !== outcome;
    });
    each("[data-note]", function (element) {
      element.hidden = shownNotes.indexOf(Number(element.getAttribute("data-note"))) === -1;
    });
    notes.hidden = shownNotes.length === 0;
    actions.hidden = false;
    resultsHeading.textContent = quiz.getAttribute("data-result-heading");
    questions.hidden = true;
    results.hidden = false;
    byId("outcome-" + outcome + "-title").focus();
  }

  function updateAlert() {
    var danger = data.questions.some(function (question) {
      var checked = quiz.querySelector('input[name="q-' + question.id + '"]:checked');
      return checked && question.danger.indexOf(checked.value) !== -1;
    });
    alertBox.hidden = !danger;
  }

  quiz.addEventListener("change", function (event) {
    if (event.target.type === "radio") {
      updateAlert();
      var fieldset = event.target.closest(".quiz-question");
      fieldset.classList.remove("quiz-question--error");
      byId("error-" + fieldset.getAttribute("data-question")).hidden = true;
    }
  });

  submit.addEventListener("click", function () {
    var answers = currentAnswers();
    var missing = data.questions.filter(function (question) {
      return !(question.id in answers);
    });
    clearErrors();
    if (missing.length) {
      showErrors(missing);
    } else {
      showResult(answers);
    }
  });

  byId("quiz-change").addEventListener("click", function () {
    showQuestions();
    var first = quiz.querySelector(".quiz-option__input:checked") || quiz.querySelector(".quiz-option__input");
    first.focus();
  });

  function clearAnswers() {
    each(".quiz-option__input", function (input) {
      input.checked = false;
    });
    clearErrors();
    alertBox.hidden = true;
    showQuestions();
  }

  byId("quiz-restart").addEventListener("click", function () {
    clearAnswers();
    quiz.querySelector(".quiz-option__input").focus();
  });

  // Browsers refill radio buttons when someone comes back with Back; on a shared device the next
  // person must not find the last person's answers.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted || quiz.querySelector(".quiz-option__input:checked")) {
      clearAnswers();
    }
  });

  byId("quiz-print").addEventListener("click", function () {
    window.print();
  });

  // Switch from the no-JavaScript layout (every result listed, guide open) to the interactive one.
  quiz.classList.add("quiz--enhanced");
  document.querySelectorAll(".quiz__no-js").forEach(function (element) {
    element.hidden = true;
  });
  submit.hidden = false;
  results.hidden = true;
  if (guide) {
    guide.open = false;
  }
  updateAlert();
})();
