/**
 * The course autograder in JupyterLab 4.
 *
 * On an assignment's notebook (one whose cells carry nbgrader metadata) the toolbar gets
 * - "提交并评分" (submit and grade) when a course service is configured: the notebook is saved,
 *   sent to the service through this server's `autograder_lab` extension, and the side panel
 *   shows its place in the queue, then grading, then the score and the feedback page;
 * - "检查" (check): with a course service, graded there and recorded nowhere; without one, in a
 *   self-learner's environment, `autograder check` runs locally through the same server extension.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ToolbarButton } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

interface IConfig {
  mode: 'service' | 'local' | 'none';
  service: string | null;
}

interface ISummaryLine {
  function: string;
  score: number;
  max_score: number;
  cause?: string | null;
}

interface ISubmission {
  id?: string;
  assignment?: string;
  state: 'queued' | 'grading' | 'done';
  position?: number;
  status?: 'graded' | 'error';
  score?: number;
  max_score?: number;
  late?: boolean;
  recorded?: boolean;
  messages_shown?: boolean;
  visibility?: string;
  summary?: ISummaryLine[];
  feedback_html?: string;
  page?: string;
  error?: string | null;
}

class RequestError extends Error {}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'autograder', path);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new RequestError(`无法连接 Jupyter 服务器：${error}`);
  }
  const text = await response.text();
  let data: any = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { error: text.slice(0, 300) };
  }
  if (!response.ok) {
    throw new RequestError(data.error || `${response.status} ${response.statusText}`);
  }
  return data as T;
}

let configPromise: Promise<IConfig> | null = null;
function config(): Promise<IConfig> {
  if (!configPromise) {
    configPromise = request<IConfig>('config').catch(error => {
      configPromise = null;
      throw error;
    });
  }
  return configPromise;
}

/** The share of the window the side area takes when the panel opens, and when widened. */
const NARROW = 0.3;
const WIDE = 0.55;

/**
 * The side panel: progress while queued and graded, then the score, a line per function with its
 * one-line cause, and the feedback page in a sandboxed frame (a link opens it in a tab).
 *
 * Chromium leaves an iframe blank when it gets its document while it is not displayed and is shown
 * afterwards; so the page goes into a new frame, and only while the panel is visible: a page that
 * arrives while the panel is hidden is put in its frame when the panel is shown again.
 */
class FeedbackPanel extends Widget {
  private status: HTMLElement;
  private score: HTMLElement;
  private table: HTMLElement;
  private actions: HTMLElement;
  private link: HTMLAnchorElement;
  private widen: HTMLButtonElement;
  private frameHost: HTMLElement;
  private html: string | null = null;
  private framed = false;
  private wide = false;

  constructor() {
    super();
    this.id = 'autograder-feedback';
    this.addClass('jp-autograder-panel');
    this.title.label = '评分反馈';
    this.title.caption = '自动评分的结果（feedback）';
    this.title.closable = true;
    this.status = document.createElement('div');
    this.status.className = 'jp-autograder-status';
    this.status.textContent = '还没有检查或提交。';
    this.score = document.createElement('div');
    this.score.className = 'jp-autograder-score';
    this.table = document.createElement('div');
    this.table.className = 'jp-autograder-summary';
    this.actions = document.createElement('div');
    this.actions.className = 'jp-autograder-actions';
    this.link = document.createElement('a');
    this.link.className = 'jp-autograder-open';
    this.link.target = '_blank';
    this.link.rel = 'noopener noreferrer';
    this.link.textContent = '在新标签页中打开反馈页面 ↗';
    this.widen = document.createElement('button');
    this.widen.className = 'jp-autograder-widen jp-mod-styled';
    this.widen.textContent = '加宽';
    this.widen.title = '加宽或收窄这个面板（也可以拖动它左边的分隔条）';
    this.widen.onclick = () => this.toggleWidth();
    this.actions.append(this.link, this.widen);
    this.frameHost = document.createElement('div');
    this.frameHost.className = 'jp-autograder-frame';
    this.node.append(this.status, this.score, this.table, this.actions, this.frameHost);
    this.clearPage();
  }

  progress(text: string): void {
    this.status.textContent = text;
    this.status.classList.remove('jp-autograder-error');
    this.status.classList.add('jp-autograder-busy');
    this.score.textContent = '';
    this.table.textContent = '';
    this.clearPage();
  }

  failed(text: string): void {
    this.status.textContent = text;
    this.status.classList.remove('jp-autograder-busy');
    this.status.classList.add('jp-autograder-error');
  }

  showResult(result: ISubmission, what: string): void {
    this.status.classList.remove('jp-autograder-busy');
    if (result.status === 'error') {
      this.failed(`无法评分：${result.error || '未知原因'}`);
    } else {
      this.status.classList.remove('jp-autograder-error');
      let text = `${what}完成。`;
      if (result.recorded === false) {
        text = `${what}完成（不计入成绩）。`;
      }
      if (result.late) {
        text += '（这份提交晚于截止日期，按迟交处理。）';
      }
      if (result.messages_shown === false) {
        text +=
          result.visibility === 'after_due_date'
            ? '详细信息在截止日期后显示。'
            : '老师设置为只显示分数。';
      }
      this.status.textContent = text;
    }
    this.score.textContent = `得分：${result.score ?? 0} / ${result.max_score ?? 0}`;
    this.table.textContent = '';
    const table = document.createElement('table');
    for (const line of result.summary || []) {
      const full = line.score === line.max_score;
      const row = table.insertRow();
      row.className = full ? 'jp-autograder-pass' : 'jp-autograder-fail';
      row.insertCell().textContent = full ? '✓' : '✗';
      row.insertCell().textContent = line.function;
      row.insertCell().textContent = `${line.score} / ${line.max_score}`;
      if (!full && line.cause) {
        const why = table.insertRow();
        why.className = 'jp-autograder-cause';
        why.insertCell();
        const cell = why.insertCell();
        cell.colSpan = 2;
        cell.textContent = line.cause;
      }
    }
    this.table.appendChild(table);
    if (result.feedback_html) {
      this.showPage(result.feedback_html, result.page);
    }
  }

  /** Widens the side area, or narrows it back. */
  toggleWidth(): void {
    this.wide = !this.wide;
    this.setShare(this.wide ? WIDE : NARROW, true);
    this.widen.textContent = this.wide ? '收窄' : '加宽';
  }

  /** Gives the side area holding this panel `share` of the window (at least, unless `exact`). */
  setShare(share: number, exact = false): void {
    let child: Widget = this;
    let split: any = this.parent;
    while (split && typeof split.setRelativeSizes !== 'function') {
      child = split;
      split = split.parent;
    }
    if (!split) {
      return;
    }
    const index = split.widgets.indexOf(child);
    const sizes: number[] = split.relativeSizes();
    const total = sizes.reduce((a, b) => a + b, 0) || 1;
    const now = sizes[index] / total;
    if (index < 0 || (!exact && now >= share)) {
      return;
    }
    // The space comes from (or goes back to) the largest other area: the notebooks.
    let main = index === 0 ? 1 : 0;
    sizes.forEach((size, i) => {
      if (i !== index && size > sizes[main]) {
        main = i;
      }
    });
    const moved = Math.min(share * total - sizes[index], sizes[main] - 0.2 * total);
    sizes[index] += moved;
    sizes[main] -= moved;
    split.setRelativeSizes(sizes);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.putPage();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.putPage();
  }

  private clearPage(): void {
    this.html = null;
    this.framed = false;
    this.frameHost.replaceChildren();
    this.actions.style.display = 'none';
  }

  private showPage(html: string, page?: string): void {
    this.html = html;
    this.framed = false;
    if (page) {
      this.link.href = URLExt.join(ServerConnection.makeSettings().baseUrl, page);
      this.link.style.display = '';
    } else {
      this.link.removeAttribute('href');
      this.link.style.display = 'none';
    }
    this.actions.style.display = '';
    this.putPage();
  }

  /** The page, in a new frame, once the panel is on screen. */
  private putPage(): void {
    if (this.html === null || this.framed || !this.isVisible) {
      return;
    }
    const frame = document.createElement('iframe');
    frame.className = 'jp-autograder-page';
    frame.setAttribute('sandbox', ''); // the page is shown, never run
    frame.title = '评分反馈页面';
    this.frameHost.replaceChildren(frame);
    frame.srcdoc = this.html;
    this.framed = true;
  }
}

function isAssignment(model: INotebookModel | null): boolean {
  if (!model) {
    return false;
  }
  for (let i = 0; i < model.cells.length; i++) {
    if (model.cells.get(i).getMetadata('nbgrader')) {
      return true;
    }
  }
  return false;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function submitAndGrade(
  context: DocumentRegistry.IContext<INotebookModel>,
  panel: FeedbackPanel
): Promise<void> {
  panel.progress('正在保存笔记本…');
  await context.save();
  panel.progress('正在提交…');
  let state = await request<ISubmission>('submit', {
    method: 'POST',
    body: JSON.stringify({ path: context.path })
  });
  const id = state.id as string;
  for (let round = 0; state.state !== 'done'; round++) {
    panel.progress(
      state.state === 'queued'
        ? `已提交，正在排队（前面还有 ${state.position ?? 0} 份）…`
        : '正在评分…'
    );
    try {
      state = await request<ISubmission>(`submissions/${id}`);
    } catch (error) {
      if (round > 600) {
        throw error;
      }
      await sleep(2000); // the service restarting: the submission is kept, ask again
    }
  }
  panel.showResult(state, '评分');
}

async function check(
  context: DocumentRegistry.IContext<INotebookModel>,
  panel: FeedbackPanel,
  mode: IConfig['mode']
): Promise<void> {
  panel.progress('正在保存笔记本…');
  await context.save();
  panel.progress(
    mode === 'service'
      ? '正在检查（评分服务在沙箱里运行你的代码，不计入成绩）…'
      : '正在检查（在沙箱里运行你的代码）…'
  );
  const result = await request<ISubmission>('check', {
    method: 'POST',
    body: JSON.stringify({ path: context.path })
  });
  panel.showResult(result, '检查');
}

class Buttons
  implements DocumentRegistry.IWidgetExtension<NotebookPanel, INotebookModel>
{
  constructor(
    private app: JupyterFrontEnd,
    private panel: () => FeedbackPanel
  ) {}

  createNew(
    widget: NotebookPanel,
    context: DocumentRegistry.IContext<INotebookModel>
  ): void {
    void Promise.all([context.ready, config()])
      .then(([, settings]) => {
        if (widget.isDisposed || !isAssignment(context.model)) {
          return;
        }
        const run = async (submit: boolean) => {
          const panel = this.panel();
          this.app.shell.activateById(panel.id);
          panel.setShare(NARROW);
          try {
            await (submit
              ? submitAndGrade(context, panel)
              : check(context, panel, settings.mode));
          } catch (error) {
            panel.failed(
              `${submit ? '提交' : '检查'}没有完成：${(error as Error).message}`
            );
          }
        };
        // 检查 everywhere (at the service in class mode, graded but not recorded);
        // 提交并评分 only where a course service is configured.
        const buttons = [
          new ToolbarButton({
            className: 'jp-autograder-check',
            label: '检查',
            tooltip: {
              service: '保存并检查这份作业：评分服务打分并给出反馈，但不计入成绩',
              local: '保存并在本机检查这份作业（autograder check）',
              none: '这个环境没有配置评分服务，不能检查；请告诉老师'
            }[settings.mode],
            onClick: () => void run(false)
          })
        ];
        if (settings.mode === 'service') {
          buttons.push(
            new ToolbarButton({
              className: 'jp-autograder-submit',
              label: '提交并评分',
              tooltip: '保存并提交这份作业，评分后在右侧显示反馈',
              onClick: () => void run(true)
            })
          );
        }
        // Right after "save": a toolbar narrowed by a wide panel folds its last items into
        // a menu, and these are the ones a student is looking for.
        buttons.forEach((button, i) =>
          widget.toolbar.insertItem(1 + i, `autograder-${i}`, button)
        );
      })
      .catch(error =>
        console.warn('autograder: the server extension did not answer', error)
      );
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'autograder-lab:plugin',
  description: 'Submit and grade (提交并评分) or check (检查) an assignment, feedback in a side panel.',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    let panel: FeedbackPanel | null = null;
    const getPanel = () => {
      if (!panel || panel.isDisposed) {
        panel = new FeedbackPanel();
        app.shell.add(panel, 'right', { rank: 900 });
      }
      return panel;
    };
    app.docRegistry.addWidgetExtension('Notebook', new Buttons(app, getPanel));
  }
};

export default plugin;
