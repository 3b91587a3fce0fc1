/* The self-check, enhanced: one question at a time. Without this file the page still shows every
   question and a guide that gives the same result. This file never stores answers, never changes
   the URL and never makes a network request: answers live only in the radio buttons on this page. */
(function () {
  "use strict";

  // The quiz is the element this script sits in, and its data the block inside it: nothing in the
  // page's own content can stand in for either.
  var script = document.currentScript;
  var quiz = script && script.parentNode;
  var dataBlock = quiz && quiz.querySelector(':scope > script[type="application/json"]');
  if (!dataBlock || !quiz.classList.contains("quiz")) {
    return;
  }
  var data = JSON.parse(dataBlock.textContent);

  // The same rules as the build's Python evaluator; a test compares both on answers from every
  // group of answers the rules tell apart.
  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  // A condition is a list of groups, any of which may hold; no groups: it always holds.
  function matches(condition, answers) {
    return condition.length === 0 || condition.some(function (group) {
      return Object.keys(group).every(function (question) {
        return has(answers, question) && group[question].indexOf(answers[question]) !== -1;
      });
    });
  }

  // The answers to the questions that are asked; an answer to a skipped question is dropped.
  function asked(answers) {
    var kept = {};
    data.questions.forEach(function (question) {
      if (has(answers, question.id) && matches(question.askIf, kept)) {
        kept[question.id] = answers[question.id];
      }
    });
    return kept;
  }

  function evaluate(answers) {
    var given = asked(answers);
    for (var i = 0; i < data.rules.length; i++) {
      if (matches(data.rules[i].when, given)) {
        return data.rules[i].outcome;
      }
    }
    return null;
  }

  function notesFor(answers) {
    var given = asked(answers);
    var found = [];
    data.notes.forEach(function (note, index) {
      if (matches(note.when, given)) {
        found.push(index);
      }
    });
    return found;
  }

  window.IOPQuiz = { evaluate: evaluate, notesFor: notesFor, asked: asked };

  function part(id) {
    return quiz.querySelector("#" + id);
  }

  function each(selector, callback) {
    Array.prototype.forEach.call(quiz.querySelectorAll(selector), callback);
  }

  var questions = part("quiz-questions");
  var progress = part("quiz-progress");
  var back = part("quiz-back");
  var next = part("quiz-continue");
  var results = part("quiz-results");
  var resultsHeading = part("quiz-results-heading");
  var errors = part("quiz-errors");
  var errorList = part("quiz-error-list");
  var notes = part("quiz-notes");
  var actions = part("quiz-actions");
  var goOnButton = part("quiz-go-on");
  var finalButtons = [part("quiz-change"), part("quiz-restart")];
  var guide = quiz.nextElementSibling;
  var current = 0; // the position in data.questions of the question on screen

  function checkedInput(question) {
    return quiz.querySelector('input[name="q-' + question.id + '"]:checked');
  }

  // Every answer given so far, skipped questions included: asked() ignores those.
  function givenAnswers() {
    var answers = {};
    data.questions.forEach(function (question) {
      var checked = checkedInput(question);
      if (checked) {
        answers[question.id] = checked.value;
      }
    });
    return answers;
  }

  // The positions of the questions that apply, given the answers so far.
  function path() {
    var given = asked(givenAnswers());
    var positions = [];
    data.questions.forEach(function (question, index) {
      if (matches(question.askIf, given)) {
        positions.push(index);
      }
    });
    return positions;
  }

  function fieldset(index) {
    return part("question-" + data.questions[index].id);
  }

  function clearErrors() {
    errors.hidden = true;
    errorList.textContent = "";
    each(".quiz-question", function (element) {
      element.classList.remove("quiz-question--error");
      part("error-" + element.getAttribute("data-question")).hidden = true;
    });
  }

  function showError(number) {
    var question = data.questions[current];
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
    fieldset(current).classList.add("quiz-question--error");
    part("error-" + question.id).hidden = false;
    errors.hidden = false;
    errors.focus();
  }

  // The alert for the most urgent answer given so far that needs help right now (alerts are in
  // the page from the most urgent down).
  function updateAlert() {
    var given = asked(givenAnswers());
    var needed = data.questions.filter(function (question) {
      return has(given, question.id) && has(question.instant, given[question.id]);
    }).map(function (question) {
      return question.instant[given[question.id]];
    });
    var shown = false;
    each("[data-alert]", function (alert) {
      alert.hidden = shown || needed.indexOf(alert.getAttribute("data-alert")) === -1;
      shown = shown || !alert.hidden;
    });
  }

  function showQuestion(index, moveFocus) {
    var positions = path();
    current = index;
    clearErrors();
    each(".quiz-question", function (element) {
      element.hidden = true;
    });
    fieldset(index).hidden = false;
    progress.textContent = quiz.getAttribute("data-progress")
      .replace("{number}", String(positions.indexOf(index) + 1))
      .replace("{total}", String(positions.length));
    back.hidden = positions[0] === index;
    results.hidden = true;
    questions.hidden = false;
    updateAlert();
    if (moveFocus) {
      part("legend-" + data.questions[index].id).focus();
    }
  }

  function showOutcome(outcome, shownNotes, headingAttribute, instant) {
    each("[data-outcome]", function (element) {
      element.hidden = element.getAttribute("data-outcome") !== outcome;
    });
    each("[data-note]", function (element) {
      element.hidden = shownNotes.indexOf(Number(element.getAttribute("data-note"))) === -1;
    });
    notes.hidden = shownNotes.length === 0;
    goOnButton.hidden = !instant;
    finalButtons.forEach(function (button) {
      button.hidden = instant;
    });
    actions.hidden = false;
    resultsHeading.textContent = quiz.getAttribute(headingAttribute);
    questions.hidden = true;
    results.hidden = false;
    part("outcome-" + outcome + "-title").focus();
  }

  // The next question that applies, or the result after the last one.
  function goOn() {
    var later = path().filter(function (index) {
      return index > current;
    });
    if (later.length) {
      showQuestion(later[0], true);
    } else {
      var answers = givenAnswers();
      showOutcome(evaluate(answers), notesFor(answers), "data-result-heading", false);
    }
  }

  next.addEventListener("click", function () {
    var question = data.questions[current];
    var checked = checkedInput(question);
    clearErrors();
    if (!checked) {
      showError(path().indexOf(current) + 1);
    } else if (has(question.instant, checked.value)) {
      // Help right now comes before the rest of the questions; the final result still weighs every answer.
      showOutcome(question.instant[checked.value], [], "data-instant-heading", true);
    } else {
      goOn();
    }
  });

  goOnButton.addEventListener("click", goOn);

  back.addEventListener("click", function () {
    var earlier = path().filter(function (index) {
      return index < current;
    });
    showQuestion(earlier[earlier.length - 1], true);
  });

  quiz.addEventListener("change", function (event) {
    if (event.target.type === "radio") {
      updateAlert();
      var element = event.target.closest(".quiz-question");
      element.classList.remove("quiz-question--error");
      part("error-" + element.getAttribute("data-question")).hidden = true;
    }
  });

  part("quiz-change").addEventListener("click", function () {
    showQuestion(0, true);
  });

  function clearAnswers() {
    each(".quiz-option__input", function (input) {
      input.checked = false;
    });
    showQuestion(0, false);
  }

  part("quiz-restart").addEventListener("click", function () {
    clearAnswers();
    part("legend-" + data.questions[0].id).focus();
  });

  // Browsers refill radio buttons when someone comes back with Back; on a shared device the next
  // person must not find the last person's answers.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted || quiz.querySelector(".quiz-option__input:checked")) {
      clearAnswers();
    }
  });

  part("quiz-print").addEventListener("click", function () {
    window.print();
  });

  // Switch from the no-JavaScript layout (every question and result listed, guide open) to one
  // question at a time.
  quiz.classList.add("quiz--enhanced");
  if (guide && guide.classList.contains("quiz-guide")) {
    guide.open = false;
    Array.prototype.forEach.call(guide.querySelectorAll(".quiz__no-js"), function (element) {
      element.hidden = true;
    });
  }
  progress.hidden = false;
  next.hidden = false;
  showQuestion(0, false);
})();
