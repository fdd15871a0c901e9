// The lessons: the chapter panel (text, look for, try; Back and Next), the menu of chapters, a
// link's `lesson=ID` opening the chapter's own run, and the part of the page a chapter talks
// about, outlined and scrolled into view beside the lesson text. The chapters come from the
// engine's manifest (src/view/lessons.rs).
const $ = (id) => document.getElementById(id);

/** Wires the lessons. `app`: {state, M (the manifest), openFragment(text)}; returns the functions
 *  the page's wiring calls. */
export function wireLessons(app) {
  const { state, M, openFragment } = app;

  function chapterIndex(id) {
    if (!id) return -1;
    return id === 'start' ? 0 : M.lessons.findIndex((c) => c.id === id);
  }

  function showLesson() {
    const i = chapterIndex(state.view.lesson);
    const box = $('lesson');
    if (i < 0) {
      box.hidden = true;
      pointAtLesson(null);
      return;
    }
    const c = M.lessons[i];
    box.hidden = false;
    $('lesson-title').textContent = c.title;
    $('lesson-text').textContent = c.text;
    $('lesson-look').textContent = c.look;
    $('lesson-try').textContent = c.try_this;
    $('lesson-count').textContent = `chapter ${i + 1} of ${M.lessons.length}`;
    $('lesson-back').disabled = i === 0;
    $('lesson-next').disabled = i + 1 === M.lessons.length;
    pointAtLesson(c);
  }

  /** Opens chapter `i`: its configuration, the lesson panel, and the view's hide/embed kept (the
   *  page's own, or those of the link that named the chapter; its `play` too). */
  function openChapter(i, view = state.view) {
    const c = M.lessons[i];
    const keep = `${view.hide.length ? `&hide=${view.hide.join(',')}` : ''}${view.embed ? '&embed=1' : ''}${view.play ? '&play=1' : ''}`;
    openFragment(`${c.link}&lesson=${c.id}${keep}`);
  }

  /** Whether a fragment names a run-configuration key (beyond the version `v`): `lesson=ID` with
   *  only view keys opens the chapter's own configuration, as the lessons menu does; a link that
   *  also sets the run (the page writes one once a chapter is open) keeps its settings. */
  function namesRunKeys(text) {
    const runKeys = new Set(M.keys.map((k) => k.key).filter((k) => k !== 'v'));
    return text.replace(/^#/, '').split('&').some((kv) => runKeys.has(kv.split('=')[0]));
  }

  /** The part of the page a chapter's "look for" talks about: outlined and scrolled into view. */
  function pointAtLesson(chapter) {
    for (const el of document.querySelectorAll('.lesson-focus')) el.classList.remove('lesson-focus');
    const target = chapter?.focus ? document.querySelector(chapter.focus) : null;
    // A panel the new runs have not shown yet (the correlation chart before the first snapshot of
    // a D-variant) is pointed at once it is drawn.
    // The layout settles with the new runs' first snapshot: point again then.
    const settled = state.snap?.config === state.config;
    state.lessonFocus = target && (!settled || target.closest('[hidden]')) ? chapter : null;
    if (!target || target.closest('[hidden]')) return;
    target.classList.add('lesson-focus');
    // Into view below the lesson text (which stays on screen on a wide screen), top first.
    const lesson = $('lesson');
    const top = getComputedStyle(lesson).position === 'sticky' ? lesson.getBoundingClientRect().bottom + 8 : 8;
    const r = target.getBoundingClientRect();
    if (r.top < top || r.bottom > innerHeight) window.scrollBy({ top: r.top - top });
  }

  function buildLessonsList() {
    $('lessons').replaceChildren(...M.lessons.map((c, i) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = `#${c.link}&lesson=${c.id}`;
      a.textContent = c.title.replace(/^\d+\. /, '');
      a.addEventListener('click', (e) => {
        e.preventDefault();
        $('lessons-box').open = false;
        openChapter(i);
      });
      li.append(a);
      return li;
    }));
  }

  return { chapterIndex, showLesson, openChapter, namesRunKeys, pointAtLesson, buildLessonsList };
}
